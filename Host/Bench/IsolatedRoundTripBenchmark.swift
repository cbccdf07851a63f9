import CapHostCore

/// SPEC §7 "isolated-mode round trip": noop.c's `noop` with a small payload through the host
/// when the plugin runs in its own `caphost-runner --serve` process (one call channel
/// round trip), beside the same call on the same plugin loaded in-process, in the same run.
struct IsolatedRoundTripBenchmark {
    static let barNanoseconds = 20_000.0
    /// The small payload: 61 bytes of JSON.
    static let payload = Array(#"{"message":"a small payload for the isolated round trip!!!!"}"#.utf8)

    struct Figure: Encodable {
        let bar = "median ≤ 20 µs per call, in-process figure beside it"
        let judgedOn = "isolated.median_call_nanoseconds (median 100-call batch)"
        let measures = "Invoker.invoke(callSite, payload: 61 bytes) of noop.c `noop` loaded with isolation process: host → call channel (socket pair) → caphost-runner thread → plugin → back, one thread"
        let isolated: CallTiming
        let referenceMeasures = "the same call on the same noop.c loaded in-process"
        let inProcess: CallTiming
        let payloadBytes = IsolatedRoundTripBenchmark.payload.count
        let pass: Bool
    }

    static func run(_ context: BenchContext) async throws(BenchError) -> Figure {
        let plugin = try context.noopPlugin()
        let runs = context.options.runs
        // Each isolated call costs microseconds, not nanoseconds: fewer of them per run.
        let calls = max(1_000, context.options.callsPerRun / 100)
        let isolated = try await measure(context, plugin: plugin, host: "isolated-round-trip", mode: .process, runs: runs, calls: calls)
        let inProcess = try await measure(context, plugin: plugin, host: "isolated-reference", mode: .inProcess, runs: runs, calls: calls)
        return Figure(isolated: isolated, inProcess: inProcess,
                      pass: isolated.failedCalls == 0 && isolated.medianCallNanoseconds <= barNanoseconds)
    }

    private static func measure(_ context: BenchContext, plugin: String, host name: String, mode: IsolationSettings.Mode,
                                runs: Int, calls: Int) async throws(BenchError) -> CallTiming {
        try await context.workspace.withHost(named: name, isolation: mode) { bench throws(BenchError) in
            let report = try await bench.load(plugin, as: "noop.so")
            guard report.isolation?.mode == mode else {
                throw BenchError("noop.so loaded \(report.isolation?.mode.rawValue ?? "with no placement"), expected \(mode.rawValue)")
            }
            let call = try HostCall.noop(bench)
            return await PlainThread.run(name: "bench-isolated") {
                payload.withUnsafeBytes { bytes in
                    CallTiming.measure(runs: runs, callsPerRun: calls, warmup: calls / 10) {
                        call.call(payload: bytes)
                    }
                }
            }
        }
    }
}
