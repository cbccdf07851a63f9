import Foundation

/// A candidate's live score in [0, 1]:
/// `0.5 · success rate (EWMA) + 0.3 · latency against the slot's SLO + 0.2 · last health`.
/// Updated from counter deltas by the score keeper, never on the call path.
struct CandidateScore: Sendable {
    var successRate = 1.0
    var latency = 1.0
    var health = 1.0
    /// Calls observed since the score was last reset (promotion or recovery).
    var samples = 0

    var value: Double { 0.5 * successRate + 0.3 * latency + 0.2 * health }

    /// Folds in `calls` calls of which `failures` failed, with mean sampled latency
    /// `meanLatency` (nil when none was sampled). The EWMA weight grows with the
    /// number of calls: `1 - (1 - alpha)^calls`.
    mutating func observe(calls: Int, failures: Int, meanLatency: Duration?, slo: Duration, alpha: Double) {
        guard calls > 0 else { return }
        let rate = 1.0 - Double(failures) / Double(calls)
        let weight = 1.0 - pow(1.0 - alpha, Double(calls))
        successRate += weight * (rate - successRate)
        if let meanLatency {
            let ratio = meanLatency / slo
            let observed = ratio <= 1 ? 1.0 : max(0, 1.0 / ratio)
            latency += weight * (observed - latency)
        }
        samples += calls
    }

    /// Starts over (a promoted or recovered candidate must earn its place again).
    mutating func reset(keepingHealth: Bool = true) {
        successRate = 1.0
        latency = 1.0
        samples = 0
        if !keepingHealth { health = 1.0 }
    }
}




