import Logging
import Synchronization

/// The host's events: kept in memory (the newest `capacity`), logged, handed to
/// an optional durable sink, and streamed to subscribers.
public final class EventLog: Sendable {
    private struct State {
        var events: [HostEvent] = []
        var nextSequence: UInt64 = 1
        var subscribers: [UInt64: AsyncStream<HostEvent>.Continuation] = [:]
        var nextSubscriber: UInt64 = 0
        var sink: (@Sendable (HostEvent) -> Void)?
    }

    private let state = Mutex(State())
    private let logger: Logger
    public let capacity: Int

    public init(logger: Logger, capacity: Int = 10_000) {
        self.logger = logger
        self.capacity = capacity
    }

    /// Sets where events are persisted (the state store, when the host has one).
    public func setSink(_ sink: (@Sendable (HostEvent) -> Void)?) {
        state.withLock { $0.sink = sink }
    }

    /// Numbers events after `sequence` from now on, and renumbers the events kept
    /// so far to follow it, unless they already do. The state archive calls it
    /// with the highest sequence of earlier runs when it attaches, before anyone
    /// reads the log: the ids clients see (SSE `id:`, `sequence`) then keep
    /// increasing across restarts, and a client resuming with `Last-Event-ID`
    /// after a restart gets the new run's events instead of skipping them.
    public func continueNumbering(after sequence: UInt64) {
        state.withLock { state in
            guard state.nextSequence <= sequence else { return }
            let shift = sequence + 1 - (state.events.first?.sequence ?? state.nextSequence)
            state.events = state.events.map { event in
                HostEvent(sequence: event.sequence + shift, time: event.time, kind: event.kind,
                          subject: event.subject, reason: event.reason, details: event.details)
            }
            state.nextSequence += shift
        }
    }

    /// Records an event and returns it.
    @discardableResult
    public func record(_ kind: HostEvent.Kind, subject: String, reason: String, details: [String: String] = [:]) -> HostEvent {
        let (event, subscribers, sink) = state.withLock { state in
            let event = HostEvent(sequence: state.nextSequence, time: .now, kind: kind, subject: subject, reason: reason, details: details)
            state.nextSequence += 1
            state.events.append(event)
            if state.events.count > capacity { state.events.removeFirst(state.events.count - capacity) }
            return (event, Array(state.subscribers.values), state.sink)
        }
        let level: Logger.Level = switch kind {
        case .pluginLoadFailed, .pluginQuarantined, .swapFailed, .breakerOpened, .callThreadsExhausted,
             .isolatedProcessEnded, .isolationChanged: .warning
        default: .info
        }
        logger.log(level: level, "\(kind.rawValue) \(subject): \(reason)")
        sink?(event)
        for subscriber in subscribers { subscriber.yield(event) }
        return event
    }

    /// Events with a sequence greater than `after`, oldest first, at most `limit`.
    public func events(after: UInt64 = 0, limit: Int = 1000, kinds: Set<HostEvent.Kind>? = nil) -> [HostEvent] {
        state.withLock { state in
            Array(state.events.lazy.filter { $0.sequence > after && (kinds?.contains($0.kind) ?? true) }.prefix(limit))
        }
    }

    /// A stream of events from now on; ends when the consumer stops iterating.
    public func subscribe() -> AsyncStream<HostEvent> {
        let (stream, continuation) = AsyncStream<HostEvent>.makeStream(bufferingPolicy: .bufferingNewest(1024))
        let id = state.withLock { state -> UInt64 in
            state.nextSubscriber += 1
            state.subscribers[state.nextSubscriber] = continuation
            return state.nextSubscriber
        }
        continuation.onTermination = { [weak self] _ in
            self?.state.withLock { _ = $0.subscribers.removeValue(forKey: id) }
        }
        return stream
    }
}
