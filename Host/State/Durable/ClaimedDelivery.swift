import CapHostCore

/// A delivery a worker took for one attempt (its row is `inFlight`).
struct ClaimedDelivery: Sendable {
    let id: String
    let idempotencyKey: String
    /// The journaled target text; `reference` is nil when it does not parse.
    let target: String
    let reference: CapabilityReference?
    let method: String
    let payload: [UInt8]
    /// Attempts finished before this one.
    let attempts: Int
    let failedProviders: [String]
    /// The caller's deadline for each attempt, or nil for the engine's.
    let attemptTimeout: Duration?
}
