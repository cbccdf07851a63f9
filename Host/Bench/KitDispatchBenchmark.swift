import CapHostCore
import CCapHostSupport
import Foundation

/// Informational: the Swift example plugin (PluginKit, adapter:echo:swift)
/// called through the host — `echo` with a small payload, one thread.
struct KitDispatchBenchmark {
    static let payload = Array(#"{"text":"hello"}"#.utf8)
    /// Aim for runs of about this long (the kit's async bridge is far slower than a C call).
    static let targetRunNanoseconds = 200_000_000.0

    /// `echo` with the payload, checking the echo came back whole. Unchecked
    /// Sendable: the payload buffer is read-only and outlives every call.
    struct EchoCall: CallTarget, @unchecked Sendable {
        let host: HostCall
        let payload: UnsafeRawBufferPointer

        func call() -> Bool {
            do {
                let length = try host.invoker.invoke(host.site, payload: payload) { $0.count }
                return length == payload.count
            } catch {
                return false
            }
        }
    }

    struct Figure: Encodable {
        let bar = "none (informational)"
        let measures = "Invoker.invoke(callSite) of libEchoSwiftPlugin.so `echo` on slot adapter:echo with a 17-byte payload, one thread, call site built once"
        let plugin: String
        let timing: CallTiming
    }

    static func run(_ context: BenchContext) async throws(BenchError) -> Figure {
        let plugin = context.workspace.buildProductsDirectory + "/libEchoSwiftPlugin.so"
        guard FileManager.default.fileExists(atPath: plugin) else {
            throw BenchError("\(plugin) not found; build it with swift build -c release --product EchoSwiftPlugin (same scratch path as the bench)")
        }
        let runs = context.options.runs
        let maximumCalls = context.options.callsPerRun
        return try await context.workspace.withHost(named: "kit") { bench throws(BenchError) -> Figure in
            try await bench.load(plugin, as: "libEchoSwiftPlugin.so")
            let host = try HostCall(bench, slot: SlotKey(domain: "adapter", category: "echo"), method: "echo")
            let payload = UnsafeMutableRawBufferPointer.allocate(byteCount: Self.payload.count, alignment: 8)
            defer { payload.deallocate() }
            payload.copyBytes(from: Self.payload)
            let echo = EchoCall(host: host, payload: UnsafeRawBufferPointer(payload))
            let timing = await PlainThread.run(name: "bench-kit") {
                let trial = CallTiming.measure(runs: 1, callsPerRun: 1000, warmup: 1000) { echo.call() }
                let calls = Int(min(Double(maximumCalls), max(1000, targetRunNanoseconds / max(trial.medianRunNanoseconds, 1))))
                return CallTiming.measure(echo, runs: runs, callsPerRun: calls)
            }
            return Figure(plugin: plugin, timing: timing)
        }
    }
}
