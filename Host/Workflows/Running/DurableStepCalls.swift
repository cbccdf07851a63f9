import CapHostCore

/// Where a runner sends its `durable: true` steps: a durable journal that
/// records the call before it runs, delivers it at least once (with retries
/// and failover within the slot) and keeps the answer. The host's durable
/// engine is one (`DurableDelivery`).
///
/// The same `key` always names the same delivery, so a run resumed after a
/// crash finds the step it had journaled instead of calling it again.
public protocol DurableStepCalls: Sendable {
    /// Journals `call` (or finds the delivery its key already names) and waits for its end.
    func deliver(_ call: DurableStepCall) async -> DurableStepOutcome
    /// The journal stopped: the host is going down. A run stops before its
    /// next step and is resumed from there at the next start.
    var isStopped: Bool { get }
}

/// One durable step's call.
public struct DurableStepCall: Sendable {
    public let target: CapabilityReference
    public let method: String
    public let payload: [UInt8]
    /// The delivery's idempotency key: `workflow/RUN/STEP-INDEX/TRY`.
    public let key: String
    /// Each attempt's deadline (the step's `timeout`); nil for the journal's own.
    public let attemptTimeout: Duration?

    public init(target: CapabilityReference, method: String, payload: [UInt8], key: String, attemptTimeout: Duration?) {
        self.target = target
        self.method = method
        self.payload = payload
        self.key = key
        self.attemptTimeout = attemptTimeout
    }
}

/// How a durable step's delivery ended.
public enum DurableStepOutcome: Sendable {
    /// A provider accepted it: who, after how many attempts, and its answer.
    case delivered(delivery: String, provider: String, attempts: Int, response: [UInt8])
    /// It could not be journaled, or it was dead-lettered: why, the last provider that failed it, attempts.
    case failed(message: String, provider: String?, attempts: Int)
    /// The journal stopped before the delivery finished: it stays journaled and
    /// the run resumes (and waits for it again) at the host's next start.
    case interrupted(String)
}
