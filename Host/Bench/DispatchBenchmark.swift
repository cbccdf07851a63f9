import CapHostCore

/// SPEC §7 "host dispatch overhead": resolve + lease + invoke of noop.c's
/// `noop` through the host on one thread, against a raw call of the same
/// plugin's `cap_invoke_fn` (dlopen/dlsym, arguments built once).
struct DispatchBenchmark {
    static let barNanoseconds = 100.0

    struct Figure: Encodable {
        let bar = "median ≤ 100 ns per call (raw C function pointer ≈ 2.5 ns)"
        let judgedOn = "host.median_call_nanoseconds (median 100-call batch); median_run_nanoseconds is also shown"
        let measures = "Invoker.invoke(callSite, payload: empty) of noop.c `noop` on slot adapter:bench, one thread, call site built once: winner load (resolve) + lease + C call + give back"
        let host: CallTiming
        let referenceMeasures = "the same noop.c opened with dlopen/dlsym, its cap_invoke_fn called directly with arguments built once"
        let reference: CallTiming
        /// host median call − reference median call: what the host adds to a call.
        let hostOverheadMedianNanoseconds: Double
        let pass: Bool
    }

    static func run(_ context: BenchContext) async throws(BenchError) -> Figure {
        let plugin = try context.noopPlugin()
        let runs = context.options.runs
        let calls = context.options.callsPerRun
        let hostTiming = try await context.workspace.withHost(named: "dispatch") { bench throws(BenchError) in
            try await bench.load(plugin, as: "noop.so")
            let call = try HostCall.noop(bench)
            return await PlainThread.run(name: "bench-dispatch") { CallTiming.measure(call, runs: runs, callsPerRun: calls) }
        }
        let raw = try RawPluginCall(file: plugin, method: 0)
        let rawTiming = await PlainThread.run(name: "bench-dispatch-raw") { CallTiming.measure(raw, runs: runs, callsPerRun: calls) }
        return Figure(host: hostTiming, reference: rawTiming,
                      hostOverheadMedianNanoseconds: SampleSummary.rounded(hostTiming.medianCallNanoseconds - rawTiming.medianCallNanoseconds, decimals: 2),
                      pass: hostTiming.failedCalls == 0 && hostTiming.medianCallNanoseconds <= barNanoseconds)
    }
}
