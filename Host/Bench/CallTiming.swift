import CCapHostSupport

/// Times a call on the current thread: `runs` runs of `callsPerRun` calls, each
/// run cut into batches of `batch` calls read with one clock call per batch
/// (≈ 20 ns of clock over 100 calls, so the clock costs 0.2 ns a call).
struct CallTiming: Codable, Sendable {
    /// Nanoseconds per call of each run.
    let perRunNanoseconds: [Double]
    /// The median of the runs' means: includes whatever else the machine did
    /// meanwhile (on a shared two-core box, another build takes the core).
    let medianRunNanoseconds: Double
    /// The median call: the p50 of `batchNanosecondsPerCall`. A slow path
    /// taken more often than about one call in 200 moves it; a preemption
    /// by another process does not. The bars are judged on it.
    let medianCallNanoseconds: Double
    /// Nanoseconds per call of every batch of every run (p99: the tail).
    let batchNanosecondsPerCall: SampleSummary
    let runs: Int
    let callsPerRun: Int
    let callsPerBatch: Int
    /// Calls that threw (must be 0).
    let failedCalls: Int

    /// Runs `call` `warmup` times untimed, then the timed runs. `call` returns
    /// false for a failed call. Inlined so the caller's closure is inlined too.
    @inline(__always)
    static func measure(runs: Int, callsPerRun: Int, batch: Int = 100, warmup: Int, _ call: () -> Bool) -> CallTiming {
        var failed = 0
        for _ in 0..<warmup where !call() { failed += 1 }
        let batchesPerRun = Swift.max(1, callsPerRun / batch)
        var perRun: [Double] = []
        var batchSamples = [Double](repeating: 0, count: runs * batchesPerRun)
        var sampleIndex = 0
        for _ in 0..<runs {
            let runStart = caphost_monotonic_ns()
            var batchStart = runStart
            for _ in 0..<batchesPerRun {
                for _ in 0..<batch where !call() { failed += 1 }
                let now = caphost_monotonic_ns()
                batchSamples[sampleIndex] = Double(now &- batchStart) / Double(batch)
                sampleIndex += 1
                batchStart = now
            }
            perRun.append(Double(batchStart &- runStart) / Double(batchesPerRun * batch))
        }
        let batches = SampleSummary(batchSamples, decimals: 2)
        return CallTiming(perRunNanoseconds: perRun.map { SampleSummary.rounded($0, decimals: 2) },
                          medianRunNanoseconds: SampleSummary.median(perRun, decimals: 2),
                          medianCallNanoseconds: batches.p50, batchNanosecondsPerCall: batches, runs: runs,
                          callsPerRun: batchesPerRun * batch, callsPerBatch: batch, failedCalls: failed)
    }

    /// The timing of `target.call()` (a tenth of a run as warm-up).
    static func measure<Target: CallTarget>(_ target: Target, runs: Int, callsPerRun: Int) -> CallTiming {
        measure(runs: runs, callsPerRun: callsPerRun, warmup: callsPerRun / 10) { target.call() }
    }
}
