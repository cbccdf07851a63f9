/// The control-plane state of a candidate (everything but the hot counters),
/// guarded by the candidate's mutex and changed only off the call path.
struct CandidateControl: Sendable {
    var breaker = CircuitBreaker()
    var score = CandidateScore()
    /// Set by an operator drain: no new calls; in-flight ones finish.
    var drain: OperatorAction?
    /// Set by auto-swap: excluded until `until`, then probed.
    var demotion: Demotion?
    /// The last health check's outcome.
    var lastHealth: HealthObservation?
    /// An outside registry's unhealthy report (ABI 1.3 `report_health`): demotes it in ranking.
    var registryHealth: RegistryHealthReport?
    /// The last heartbeat received for it (gRPC `Heartbeat`).
    var lastHeartbeat: WallClockTime?
    /// Totals already folded into the score.
    var foldedCalls: Int64 = 0
    var foldedFailures: Int64 = 0
    var foldedLatencyNanoseconds: Int64 = 0
    var foldedLatencySamples: Int64 = 0
}

/// Who did something and when.
public struct OperatorAction: Sendable, Hashable, Codable {
    public let at: WallClockTime
    public let reason: String
}

/// An auto-swap demotion: the candidate sits out until its cool-down ends.
struct Demotion: Sendable {
    let until: ContinuousClock.Instant
    let untilWallClock: WallClockTime
    let score: Double
    let threshold: Double
}

/// One health check's result.
public struct HealthObservation: Sendable, Hashable, Codable {
    public let at: WallClockTime
    public let healthy: Bool
    public let status: String
    public let message: String
}
