import CapHostCore
import Foundation
import NIOCore
import Synchronization

/// The open Server-Sent Event streams: each replays what it missed, follows
/// the event log live, sends keep-alive comments, and is ended when the host
/// shuts down (an open stream must not hold up a graceful shutdown).
public final class EventStreams: Sendable {
    private let open = Mutex<[UUID: AsyncStream<ByteBuffer>.Continuation]>([:])

    public init() {}

    /// A stream of SSE frames for events after `after`, or nil when `limit`
    /// streams are open already (each holds a connection, a subscription and
    /// two tasks for as long as the client keeps it).
    func open(events: EventLog, after: UInt64, kinds: Set<HostEvent.Kind>?, keepAlive: Duration,
              limit: Int) -> AsyncStream<ByteBuffer>? {
        let (stream, continuation) = AsyncStream<ByteBuffer>.makeStream(bufferingPolicy: .bufferingNewest(4096))
        let id = UUID()
        let admitted = open.withLock { open -> Bool in
            guard open.count < limit else { return false }
            open[id] = continuation
            return true
        }
        guard admitted else { return nil }
        // Subscribe before reading the backlog so nothing falls between the two.
        let live = events.subscribe()
        let forwarder = Task {
            var last = after
            for event in events.events(after: after, limit: 10_000, kinds: kinds) {
                continuation.yield(Self.frame(event))
                last = event.sequence
            }
            for await event in live where event.sequence > last && (kinds?.contains(event.kind) ?? true) {
                continuation.yield(Self.frame(event))
                last = event.sequence
            }
            continuation.finish()
        }
        let heartbeat = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: keepAlive)
                if Task.isCancelled { break }
                continuation.yield(ByteBuffer(string: ": keep-alive\n\n"))
            }
        }
        continuation.onTermination = { [weak self] _ in
            forwarder.cancel()
            heartbeat.cancel()
            self?.open.withLock { _ = $0.removeValue(forKey: id) }
        }
        return stream
    }

    /// Ends every open stream (graceful shutdown).
    public func finishAll() {
        for continuation in open.withLock({ Array($0.values) }) { continuation.finish() }
    }

    /// How many streams are open.
    public var count: Int { open.withLock { $0.count } }

    static func frame(_ event: HostEvent) -> ByteBuffer {
        let data = (try? JSONResponse.encoder().encode(event)) ?? Data("{}".utf8)
        var buffer = ByteBuffer(string: "id: \(event.sequence)\nevent: \(event.kind.rawValue)\ndata: ")
        buffer.writeBytes(data)
        buffer.writeString("\n\n")
        return buffer
    }
}
