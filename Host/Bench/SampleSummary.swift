/// Percentiles of a set of samples (nanoseconds, milliseconds, calls per second...),
/// rounded for reading. Nearest-rank percentiles over the sorted samples.
struct SampleSummary: Codable, Sendable {
    let count: Int
    let min: Double
    let p50: Double
    let p90: Double
    let p99: Double
    let p999: Double
    let max: Double
    let mean: Double

    init(_ samples: [Double], decimals: Int = 1) {
        let sorted = samples.sorted()
        func rank(_ fraction: Double) -> Double {
            guard !sorted.isEmpty else { return 0 }
            let index = Int((fraction * Double(sorted.count)).rounded(.up)) - 1
            return sorted[Swift.min(Swift.max(index, 0), sorted.count - 1)]
        }
        let round = { (value: Double) in Self.rounded(value, decimals: decimals) }
        count = sorted.count
        min = round(sorted.first ?? 0)
        p50 = round(rank(0.50))
        p90 = round(rank(0.90))
        p99 = round(rank(0.99))
        p999 = round(rank(0.999))
        max = round(sorted.last ?? 0)
        mean = round(sorted.isEmpty ? 0 : sorted.reduce(0, +) / Double(sorted.count))
    }

    /// The median of `samples` (nearest rank), rounded.
    static func median(_ samples: [Double], decimals: Int = 1) -> Double { SampleSummary(samples, decimals: decimals).p50 }

    static func rounded(_ value: Double, decimals: Int) -> Double {
        var scale = 1.0
        for _ in 0..<decimals { scale *= 10 }
        return (value * scale).rounded() / scale
    }
}
