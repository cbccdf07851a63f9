import CapHostCore
import CCapHostSupport

/// SPEC §7 "resolve with 1 000 candidates in a slot": a fresh host per N with
/// multi.c's N capabilities in adapter:bench. The call path's resolve (one
/// atomic load of the slot's published winner) has no public API of its own,
/// so the figure is resolve + invoke of `noop`, which must be flat in N; the
/// control-plane `CapabilityHost.resolve(_:)` is timed beside it.
struct ResolveBenchmark {
    static let candidateCounts = [1, 10, 100, 1000]
    static let barNanoseconds = 200.0

    struct Point: Encodable {
        let candidates: Int
        /// The provider calls reached (newest registration wins equal candidates).
        let winner: String
        let resolveAndInvoke: CallTiming
        /// Median call (ns) of `host.resolve(slot)`: registry lock, dictionary lookup, winner id copy.
        let controlPlaneResolveMedianNanoseconds: Double
    }

    struct Figure: Encodable {
        let bar = "≤ 200 ns with 1 000 candidates, flat in N (Oneiric: ≈ 3 ms at 1 000)"
        let measures = "resolve+invoke, flat in N: Invoker.invoke of multi.c `noop` through a slot call site, one thread; the call path resolves by one atomic load of the slot's published winner, which no public API exposes alone"
        let judgedOn = "resolve_and_invoke.median_call_nanoseconds (median 100-call batch) at every N"
        let flatCriterion = "max − min of the median calls over N ≤ max(10 ns, 25 % of the smallest)"
        let points: [Point]
        let spreadNanoseconds: Double
        let flat: Bool
        let pass: Bool
    }

    static func run(_ context: BenchContext) async throws(BenchError) -> Figure {
        var points: [Point] = []
        let runs = context.options.runs
        let calls = context.options.callsPerRun
        for count in candidateCounts {
            let plugin = try context.fixture("multi.c", as: "multi-\(count).so", defines: ["CAP_COUNT": "\(count)"])
            let point = try await context.workspace.withHost(named: "resolve-\(count)") { bench throws(BenchError) -> Point in
                try await bench.load(plugin, as: "multi.so")
                let host = bench.host
                let slot = HostCall.benchSlot
                guard let winner = host.resolve(slot) else { throw BenchError("multi.c with \(count) capabilities: slot \(slot) has no winner") }
                let call = try HostCall.noop(bench)
                let timing = await PlainThread.run(name: "bench-resolve") { CallTiming.measure(call, runs: runs, callsPerRun: calls) }
                let controlPlane = await PlainThread.run(name: "bench-resolve-control") {
                    CallTiming.measure(runs: runs, callsPerRun: calls / 10, warmup: calls / 100) { host.resolve(slot) != nil }
                }
                return Point(candidates: count, winner: winner.description, resolveAndInvoke: timing,
                             controlPlaneResolveMedianNanoseconds: controlPlane.medianCallNanoseconds)
            }
            points.append(point)
        }
        let medians = points.map(\.resolveAndInvoke.medianCallNanoseconds)
        let smallest = medians.min() ?? 0
        let spread = (medians.max() ?? 0) - smallest
        let flat = spread <= max(10, smallest * 0.25)
        let withinBar = points.allSatisfy { $0.resolveAndInvoke.medianCallNanoseconds <= barNanoseconds && $0.resolveAndInvoke.failedCalls == 0 }
        return Figure(points: points, spreadNanoseconds: SampleSummary.rounded(spread, decimals: 2), flat: flat, pass: flat && withinBar)
    }
}
