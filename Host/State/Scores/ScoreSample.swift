import CapHostCore

/// One candidate's score, its parts, breaker and status at one moment.
public struct ScoreSample: Sendable, Codable, Hashable {
    public let time: WallClockTime
    /// Canonical id `domain:category:provider`.
    public let capability: String
    public let score: Double
    public let successRate: Double
    public let latency: Double
    public let health: Double
    /// Calls folded into the score so far.
    public let samples: Int
    /// `closed`, `open` or `half-open`.
    public let breaker: String
    /// `active`, `standby` or `excluded`.
    public let status: String
    public let inFlight: Int64
    public let calls: Int64
    public let failures: Int64
}
