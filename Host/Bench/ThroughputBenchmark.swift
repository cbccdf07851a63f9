import CapHostCore
import CCapHostSupport

/// SPEC §7 "throughput, 2 threads, no-op plugin": two threads call noop.c's
/// `noop` through the host for a fixed time; the same with the raw function
/// pointer as the reference.
struct ThroughputBenchmark {
    static let barInvokesPerSecond = 10_000_000.0
    static let threadCount = 2

    /// What one thread did.
    struct ThreadResult: Encodable, Sendable {
        let calls: Int
        let failedCalls: Int
        let seconds: Double
        var invokesPerSecond: Double { Double(calls) / seconds }
    }

    struct Measurement: Encodable {
        let invokesPerSecond: Double
        let perThreadInvokesPerSecond: [Double]
        let seconds: Double
        let failedCalls: Int

        init(_ threads: [ThreadResult]) {
            invokesPerSecond = threads.map(\.invokesPerSecond).reduce(0, +).rounded()
            perThreadInvokesPerSecond = threads.map { $0.invokesPerSecond.rounded() }
            seconds = SampleSummary.rounded(threads.map(\.seconds).max() ?? 0, decimals: 3)
            failedCalls = threads.map(\.failedCalls).reduce(0, +)
        }
    }

    struct Figure: Encodable {
        let bar = "≥ 10 M invokes/s with 2 threads"
        let measures = "2 threads, each calling Invoker.invoke(callSite) of noop.c `noop` on slot adapter:bench in a loop for the given time; sum of the threads' rates"
        let host: Measurement
        let referenceMeasures = "the same 2 threads calling noop.c's cap_invoke_fn directly (dlopen/dlsym)"
        let reference: Measurement
        let pass: Bool
    }

    static func run(_ context: BenchContext) async throws(BenchError) -> Figure {
        let plugin = try context.noopPlugin()
        let seconds = context.options.throughputSeconds
        let host = try await context.workspace.withHost(named: "throughput") { bench throws(BenchError) -> Measurement in
            try await bench.load(plugin, as: "noop.so")
            let call = try HostCall.noop(bench)
            return Measurement(await measure(call, seconds: seconds))
        }
        let raw = try RawPluginCall(file: plugin, method: 0)
        let reference = Measurement(await measure(raw, seconds: seconds))
        return Figure(host: host, reference: reference,
                      pass: host.failedCalls == 0 && host.invokesPerSecond >= barInvokesPerSecond)
    }

    /// Calls `target` on `threadCount` threads for `seconds`.
    static func measure<Target: CallTarget>(_ target: Target, seconds: Double) async -> [ThreadResult] {
        let threads = WorkerThreads<ThreadResult>(count: threadCount, name: "bench-throughput") { _, threads in
            var calls = 0
            var failed = 0
            let start = caphost_monotonic_ns()
            while !threads.shouldStop {
                for _ in 0..<256 where !target.call() { failed += 1 }
                calls += 256
            }
            return ThreadResult(calls: calls, failedCalls: failed, seconds: Double(caphost_monotonic_ns() - start) / 1e9)
        }
        try? await Task.sleep(for: .seconds(seconds))
        return await threads.stop()
    }
}
