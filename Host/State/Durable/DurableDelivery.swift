import CapHostCore
import Foundation
import Logging
import Metrics
import Synchronization

/// Durable invocations: a call is journaled in SQLite before it is
/// acknowledged, then delivered at least once — with bounded retries,
/// exponential back-off with jitter, and failover within the slot — or
/// dead-lettered with its last error.
///
/// Nothing depends on a clean shutdown: a delivery is `pending` from the
/// moment `submit` returns, `inFlight` only while an attempt runs, and
/// `start()` puts attempts a crashed host left `inFlight` back to `pending`.
/// A delivery interrupted that way may reach a provider twice; plugins
/// de-duplicate by the call's idempotency key (`call_idempotency_key`).
public final class DurableDelivery: Sendable {
    enum Phase: Sendable { case idle, running, stopping, stopped }

    struct State: Sendable {
        var phase = Phase.idle
        var inFlight = 0
        var depth = 0
        var dispatcher: Task<Void, Never>?
    }

    let host: CapabilityHost
    /// The journal this engine delivers from.
    public let journal: DeliveryJournal
    let settings: DurableSettings
    let logger: Logger
    let retry: RetryPolicy
    let metrics: DurableMetrics
    let doorbell = DeliveryDoorbell()
    let waiters = DeliveryWaiters()
    let state = Mutex(State())

    /// An engine delivering `journal`'s deliveries through `host`. Metrics go
    /// to `metricsFactory`, or to the bootstrapped `MetricsSystem` when nil.
    public init(host: CapabilityHost, journal: DeliveryJournal, settings: DurableSettings = DurableSettings(),
                logger: Logger = Logger(label: "caphost.durable"), metricsFactory: (any MetricsFactory)? = nil) {
        self.metrics = DurableMetrics(factory: metricsFactory ?? MetricsSystem.factory)
        self.host = host
        self.journal = journal
        self.settings = settings
        self.logger = logger
        self.retry = RetryPolicy(settings: settings)
    }

    /// Deliveries not yet finished (pending plus in flight), as this engine counts them.
    public var depth: Int { state.withLock { $0.depth } }

    /// Replays what an earlier run left unfinished (`inFlight` → `pending`),
    /// prunes old finished rows, and starts delivering. Calling it again does
    /// nothing; after a failure (the database) it may be called again.
    public func start() async throws(StateError) {
        guard state.withLock({ state -> Bool in
            guard state.phase == .idle else { return false }
            state.phase = .running
            return true
        }) else { return }
        let requeued: Int, pruned: Int, depth: Int
        do {
            requeued = try await journal.requeueInFlight()
            pruned = try await journal.pruneFinished(before: WallClockTime(secondsSince1970: WallClockTime.now.secondsSince1970 - settings.retainFinished.seconds))
            depth = try await journal.depth()
        } catch {
            state.withLock { $0.phase = .idle }
            throw error
        }
        state.withLock { $0.depth = depth }
        metrics.depth.record(depth)
        if requeued > 0 { logger.notice("durable: replaying \(requeued) delivery(ies) left in flight by the previous run") }
        if pruned > 0 { logger.info("durable: pruned \(pruned) finished delivery(ies) older than \(settings.retainFinished)") }
        let dispatcher = Task.detached { [self] in await dispatch() }
        state.withLock { $0.dispatcher = dispatcher }
    }

    /// Stops taking work, then waits up to `stopTimeout` for attempts in
    /// flight. Attempts still running stay `inFlight` and are replayed at the
    /// next start; `submit` refuses from now on.
    public func stop() async {
        let dispatcher = state.withLock { state -> Task<Void, Never>? in
            state.phase = .stopping
            return state.dispatcher
        }
        doorbell.ring()
        waiters.stop()
        let finished = await Self.finishes(dispatcher, within: settings.stopTimeout)
        let left = state.withLock { state -> Int in
            state.phase = .stopped
            return state.inFlight
        }
        if !finished { logger.warning("durable: stopped with \(left) attempt(s) still running; they are replayed at the next start") }
    }

    /// Whether `task` ends within `timeout`. Awaiting a task's value ignores
    /// cancellation, so the wait races a timer instead of joining a task group.
    private static func finishes(_ task: Task<Void, Never>?, within timeout: Duration) async -> Bool {
        guard let task else { return true }
        let decided = FirstClaim()
        return await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
            let decide: @Sendable (Bool) -> Void = { finished in
                if decided.claim() { continuation.resume(returning: finished) }
            }
            Task {
                await task.value
                decide(true)
            }
            Task {
                try? await Task.sleep(for: timeout)
                decide(false)
            }
        }
    }

    /// Journals `request` and returns once it is committed; a repeated
    /// idempotency key for the same target and method returns the delivery
    /// already journaled (`created: false`).
    /// Without a key the journal generates a UUID. Refused once `stop()` began;
    /// accepted before `start()` (delivered after it).
    public func submit(_ request: DeliveryRequest) async throws(DeliveryError) -> DeliverySubmission {
        try validate(request)
        guard state.withLock({ $0.phase == .idle || $0.phase == .running }) else {
            throw DeliveryError(code: .unavailable, message: "durable delivery is stopping; \(request.target) \(request.method) was not journaled")
        }
        let key = request.idempotencyKey ?? UUID().uuidString.lowercased()
        // Counted before the row exists: a worker may claim and deliver it before the
        // insert returns here, and its decrement must find the increment already made.
        state.withLock { $0.depth += 1 }
        let submission: DeliverySubmission
        do {
            submission = try await journal.insert(request, key: key)
        } catch {
            state.withLock { $0.depth = max(0, $0.depth - 1) }
            throw DeliveryError(code: .internal, message: "could not journal \(request.target) \(request.method): \(error.message)")
        }
        let depth = state.withLock { state -> Int in
            if !submission.created { state.depth = max(0, state.depth - 1) }
            return state.depth
        }
        metrics.depth.record(depth)
        if submission.created { doorbell.ring() }
        return submission
    }

    /// Waits until delivery `id` is delivered or dead and returns its record;
    /// nil when the journal has no such delivery. Throws `unavailable` when
    /// the engine stops first (the delivery stays journaled and goes on at
    /// the next start), and `internal` when the journal cannot be read.
    public func finished(id: String) async throws(DeliveryError) -> DeliveryRecord? {
        while true {
            let ticket = waiters.arm(id)
            let record: DeliveryRecord?
            do {
                record = try await journal.record(id: id)
            } catch {
                waiters.disarm(ticket)
                throw DeliveryError(code: .internal, message: "could not read delivery \(id): \(error.message)")
            }
            guard let record, record.state == .pending || record.state == .inFlight else {
                waiters.disarm(ticket)
                return record
            }
            if await waiters.wait(ticket) == .stopping {
                throw DeliveryError(code: .unavailable, message: "durable delivery stopped before delivery \(id) finished; it stays journaled and is delivered after the next start")
            }
        }
    }

    /// One delivery by id, or nil.
    public func record(id: String) async throws(StateError) -> DeliveryRecord? {
        try await journal.record(id: id)
    }

    /// Deliveries in `state` (all when nil), oldest first, at most `limit`.
    public func list(state: DeliveryState? = nil, limit: Int = 100) async throws(StateError) -> [DeliveryRecord] {
        try await journal.list(state: state, limit: limit)
    }

    private func validate(_ request: DeliveryRequest) throws(DeliveryError) {
        let method = request.method
        guard !method.isEmpty, method.utf8.count <= 64,
              method.utf8.allSatisfy({ (0x61...0x7A).contains($0) || (0x30...0x39).contains($0) || $0 == 0x5F || $0 == 0x2E || $0 == 0x2D }),
              let first = method.utf8.first, (0x61...0x7A).contains(first) || (0x30...0x39).contains(first) else {
            throw DeliveryError(code: .invalidArgument, message: "method '\(method)' is not a method name (expected ^[a-z0-9][a-z0-9_.-]*$, at most 64 bytes)")
        }
        if let key = request.idempotencyKey {
            guard !key.isEmpty, key.utf8.count <= Invoker.maxIdempotencyKeyBytes else {
                throw DeliveryError(code: .invalidArgument,
                    message: "idempotency key is \(key.utf8.count) bytes; expected 1...\(Invoker.maxIdempotencyKeyBytes)")
            }
        }
        guard request.payload.count <= settings.maxPayloadBytes else {
            throw DeliveryError(code: .invalidArgument,
                message: "payload is \(request.payload.count) bytes; durable deliveries take at most \(settings.maxPayloadBytes)")
        }
    }
}

/// True for the first caller of `claim()` only: which of two racers answers.
private final class FirstClaim: Sendable {
    private let taken = Atomic<Bool>(false)

    func claim() -> Bool { !taken.exchange(true, ordering: .acquiringAndReleasing) }
}
