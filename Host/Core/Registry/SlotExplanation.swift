/// Why a slot resolves the way it does: every candidate with its ranking keys,
/// score parts, breaker state and the rule that decided its place.
public struct SlotExplanation: Sendable, Codable, Hashable {
    public let slot: SlotKey
    /// The current winner's canonical id, or nil when nothing can serve.
    public let active: String?
    /// The sentence that decided ("adapter:x:a won on priority 80 > 60 over adapter:x:b").
    public let decidedBy: String
    public let override: SlotOverride?
    public let candidates: [CandidateExplanation]
}

/// One candidate in an explanation.
public struct CandidateExplanation: Sendable, Codable, Hashable {
    public let id: String
    public let plugin: String
    public let version: String
    public let priority: Int32
    public let stackLevel: Int32
    public let score: Double
    public let scoreParts: ScoreParts
    public let breaker: String
    /// `active`, `standby` or `excluded`.
    public let status: String
    /// Why it has that status, naming the rule ("lost on priority 60 < 80 to …").
    public let reason: String
    public let inFlight: Int64
    public let calls: Int64
    public let failures: Int64
    public let registration: UInt64
    public let lastHealth: HealthObservation?
    /// Where its code runs: `in-process`, or `process` (its own `caphost-runner`).
    public var isolation: IsolationSettings.Mode = .inProcess
}

/// The parts of a score: `0.5·successRate + 0.3·latency + 0.2·health`.
public struct ScoreParts: Sendable, Codable, Hashable {
    public let successRate: Double
    public let latency: Double
    public let health: Double
    public let samples: Int
}
