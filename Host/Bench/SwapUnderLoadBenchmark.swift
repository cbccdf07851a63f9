import CapHostCore
import CCapHostSupport

/// SPEC §7 "swap under load": providers a and b (noop.c) in adapter:bench; two
/// threads call `version` while the main task swaps a ↔ b; every 64th call is
/// timed. The same threads without swaps are the baseline.
struct SwapUnderLoadBenchmark {
    static let threadCount = 2
    /// Every 64th call is timed (two clock reads cost about as much as a call).
    static let sampleMask = 63

    /// What one calling thread saw.
    struct ThreadResult: Sendable {
        var calls = 0
        var failedCalls = 0
        var servedByA = 0
        var servedByB = 0
        var unexpectedResponses = 0
        var latencySamples: [Double] = []
        var seconds = 0.0
    }

    /// One phase (baseline or during swaps) of both threads.
    struct Phase: Encodable {
        let seconds: Double
        let calls: Int
        let failedCalls: Int
        let servedByA: Int
        let servedByB: Int
        /// Responses that named neither provider (must be 0).
        let unexpectedResponses: Int
        /// Sampled per-call latency (ns, including one clock read).
        let latencyNanoseconds: SampleSummary

        init(_ threads: [ThreadResult]) {
            seconds = SampleSummary.rounded(threads.map(\.seconds).max() ?? 0, decimals: 3)
            calls = threads.map(\.calls).reduce(0, +)
            failedCalls = threads.map(\.failedCalls).reduce(0, +)
            servedByA = threads.map(\.servedByA).reduce(0, +)
            servedByB = threads.map(\.servedByB).reduce(0, +)
            unexpectedResponses = threads.map(\.unexpectedResponses).reduce(0, +)
            latencyNanoseconds = SampleSummary(threads.flatMap(\.latencySamples))
        }
    }

    struct Swaps: Encodable {
        let requested: Int
        let completed: Int
        let failed: Int
        let firstFailure: String?
        let perSecond: Double
        /// How long one `host.swap(to:)` took (µs): health check on a lifecycle thread, then the switch.
        let durationMicroseconds: SampleSummary
    }

    struct Figure: Encodable {
        let bar = "0 failed calls; p99 call latency during swaps ≤ 2 × baseline"
        let measures = "2 threads calling Invoker.invoke(callSite) of noop.c `version` on slot adapter:bench (providers a and b); every 64th call timed with caphost_monotonic_ns; the main task awaits host.swap(to:) alternating a/b"
        let baseline: Phase
        let duringSwaps: Phase
        let swaps: Swaps
        /// p99 during swaps ÷ p99 baseline.
        let p99Ratio: Double
        let pass: Bool
    }

    static func run(_ context: BenchContext) async throws(BenchError) -> Figure {
        let a = try context.fixture("noop.c", as: "swap-a.so", defines: FixtureCompiler.noopDefines(name: "a", provider: "a"))
        let b = try context.fixture("noop.c", as: "swap-b.so", defines: FixtureCompiler.noopDefines(name: "b", provider: "b"))
        let requested = context.options.swaps
        let baselineSeconds = context.options.throughputSeconds
        return try await context.workspace.withHost(named: "swap") { bench throws(BenchError) -> Figure in
            try await bench.load(a, as: "a.so")
            try await bench.load(b, as: "b.so")
            let call = try HostCall(bench, method: "version")

            let quiet = startCalling(call)
            try? await Task.sleep(for: .seconds(baselineSeconds))
            let baseline = Phase(await quiet.stop())

            let loaded = startCalling(call)
            let slot = HostCall.benchSlot
            var durations: [Double] = []
            durations.reserveCapacity(requested)
            var failed = 0
            var firstFailure: String?
            let started = caphost_monotonic_ns()
            for index in 0..<requested {
                if index % 256 == 0 && context.isPastDeadline { break }
                let before = caphost_monotonic_ns()
                do {
                    try await bench.host.swap(to: CapabilityID(slot: slot, provider: index % 2 == 0 ? "a" : "b"))
                    durations.append(Double(caphost_monotonic_ns() - before) / 1000)
                } catch {
                    failed += 1
                    if firstFailure == nil { firstFailure = "\(error)" }
                }
            }
            let elapsed = Double(caphost_monotonic_ns() - started) / 1e9
            let duringSwaps = Phase(await loaded.stop())

            let swaps = Swaps(requested: requested, completed: durations.count, failed: failed, firstFailure: firstFailure,
                              perSecond: (Double(durations.count) / elapsed).rounded(),
                              durationMicroseconds: SampleSummary(durations))
            let ratio = baseline.latencyNanoseconds.p99 > 0 ? duringSwaps.latencyNanoseconds.p99 / baseline.latencyNanoseconds.p99 : 0
            let noCallLost = duringSwaps.failedCalls == 0 && duringSwaps.unexpectedResponses == 0
                && baseline.failedCalls == 0 && baseline.unexpectedResponses == 0
            return Figure(baseline: baseline, duringSwaps: duringSwaps, swaps: swaps,
                          p99Ratio: SampleSummary.rounded(ratio, decimals: 2),
                          pass: noCallLost && swaps.completed == requested && ratio <= 2)
        }
    }

    /// Starts the calling threads; `stop()` ends them and returns what each saw.
    static func startCalling(_ call: HostCall) -> WorkerThreads<ThreadResult> {
        WorkerThreads<ThreadResult>(count: threadCount, name: "bench-swap") { _, threads in
            var result = ThreadResult()
            result.latencySamples.reserveCapacity(1 << 20)
            let empty = UnsafeRawBufferPointer(start: nil, count: 0)
            let start = caphost_monotonic_ns()
            while !threads.shouldStop {
                let timed = result.calls & sampleMask == 0
                let before = timed ? caphost_monotonic_ns() : 0
                do {
                    // version returns {"plugin":..,"version":..,"provider":"a"}: the provider is third from the end.
                    let provider = try call.invoker.invoke(call.site, payload: empty) { bytes in
                        bytes.count > 3 ? bytes[bytes.count - 3] : 0
                    }
                    if timed { result.latencySamples.append(Double(caphost_monotonic_ns() - before)) }
                    switch provider {
                    case UInt8(ascii: "a"): result.servedByA += 1
                    case UInt8(ascii: "b"): result.servedByB += 1
                    default: result.unexpectedResponses += 1
                    }
                } catch {
                    result.failedCalls += 1
                }
                result.calls += 1
            }
            result.seconds = Double(caphost_monotonic_ns() - start) / 1e9
            return result
        }
    }
}
