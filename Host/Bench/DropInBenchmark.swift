import CapHostCore
import CCapHostSupport
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// SPEC §7 "drop-in": a started host (inotify watcher, default debounce, probe
/// on); each round renames a new, uniquely named noop.c plugin (its own slot
/// adapter:drop-N) into plugins.d and polls the slot every 0.5 ms until a call
/// of `noop` succeeds. Every file is compiled and staged before its clock starts.
struct DropInBenchmark {
    static let barMilliseconds = 250.0
    static let pollMicroseconds: UInt32 = 500
    static let roundTimeoutNanoseconds: UInt64 = 5_000_000_000

    struct Figure: Encodable {
        let bar = "≤ 250 ms p99 from the new .so appearing in plugins.d to its first successful call (probe included)"
        let measures = "rename(2) of a staged .so into plugins.d → first successful Invoker.invoke of its new slot, polled every 0.5 ms; watcher on (debounce 20 ms), probe on"
        let rounds: Int
        let succeeded: Int
        let failures: [String]
        /// rename → first successful call (ms). With ~30 rounds, p99 is the slowest round.
        let milliseconds: SampleSummary
        /// rename → the host's plugin_loaded event (ms; wall clock, so ±1 ms).
        let renameToLoadedEventMilliseconds: SampleSummary
        let debounceMilliseconds: Double
        let probe: Bool
        /// One `PluginProbe.run` of a drop-in plugin on its own (ms), outside the
        /// host: the share of the figure spent in the caphost-runner child.
        let probeAloneMilliseconds: SampleSummary
        let pass: Bool
    }

    /// One round: when the file was renamed (wall clock) and how long until the first call succeeded.
    struct Round: Sendable {
        let renamedAt: Double
        let nanoseconds: UInt64?
    }

    static func run(_ context: BenchContext) async throws(BenchError) -> Figure {
        let rounds = context.options.dropIns
        let builds = (0..<rounds).map { index in
            FixtureCompiler.Build(source: "noop.c", output: "drop-\(index).so",
                                  defines: FixtureCompiler.noopDefines(name: "drop-\(index)", provider: "p", category: "drop-\(index)"))
        }
        let plugins = try context.compiler.compile(builds)
        let probeAlone = try probeTimings(context, plugin: plugins[0])
        return try await context.workspace.withHost(named: "drop-in", watcher: true) { bench throws(BenchError) -> Figure in
            await bench.host.start()
            var latencies: [Double] = []
            var renamedAt: [String: Double] = [:]
            var failures: [String] = []
            for (index, plugin) in plugins.enumerated() {
                if context.isPastDeadline {
                    failures.append("stopped after \(index) rounds: time budget used up")
                    break
                }
                let name = "drop-\(index).so"
                let staging = try bench.stage(plugin, as: name)
                // Let the staging write's events pass, so each round starts from a quiet watcher.
                try? await Task.sleep(for: .milliseconds(30))
                let target = "\(bench.pluginsDirectory)/\(name)"
                let slot = SlotKey(domain: "adapter", category: "drop-\(index)")
                let round = await PlainThread.run(name: "bench-drop-in") { () -> Result<Round, BenchError> in
                    let wallClock = Date().timeIntervalSince1970
                    let start = caphost_monotonic_ns()
                    do throws(BenchError) {
                        try bench.publish(staging, as: name)
                    } catch {
                        return .failure(error)
                    }
                    let end = firstSuccessfulCall(bench.invoker, slot: slot, after: start)
                    return .success(Round(renamedAt: wallClock, nanoseconds: end.map { $0 - start }))
                }
                let outcome = try round.get()
                renamedAt[target] = outcome.renamedAt
                if let nanoseconds = outcome.nanoseconds {
                    latencies.append(Double(nanoseconds) / 1e6)
                } else {
                    let report = bench.host.plugin(file: target)
                    failures.append("\(name): no successful call within 5 s (\(report.map { "\($0.state.rawValue): \($0.error.map { "\($0)" } ?? "no error")" } ?? "not seen by the host"))")
                }
            }
            let loaded = bench.host.events.events(limit: 100_000, kinds: [.pluginLoaded])
            let toEvent = loaded.compactMap { event in renamedAt[event.subject].map { (event.time.secondsSince1970 - $0) * 1000 } }
            let summary = SampleSummary(latencies, decimals: 2)
            return Figure(rounds: rounds, succeeded: latencies.count, failures: failures, milliseconds: summary,
                          renameToLoadedEventMilliseconds: SampleSummary(toEvent, decimals: 2),
                          debounceMilliseconds: milliseconds(bench.host.configuration.watcher.debounce),
                          probe: bench.host.configuration.probe.enabled, probeAloneMilliseconds: probeAlone,
                          pass: failures.isEmpty && latencies.count == rounds && summary.p99 <= barMilliseconds)
        }
    }

    /// Times the probe child alone, the way the host runs it (5 runs).
    static func probeTimings(_ context: BenchContext, plugin: String) throws(BenchError) -> SampleSummary {
        let probe = PluginProbe(runnerPath: context.workspace.buildProductsDirectory + "/caphost-runner", timeout: .seconds(5))
        var timings: [Double] = []
        for _ in 0..<5 {
            let start = caphost_monotonic_ns()
            guard case .completed = probe.run(file: plugin, config: Array("{}".utf8)) else {
                throw BenchError("probing \(plugin) with \(probe.runnerPath) did not complete")
            }
            timings.append(Double(caphost_monotonic_ns() - start) / 1e6)
        }
        return SampleSummary(timings, decimals: 2)
    }

    static func milliseconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15
    }

    /// Polls `slot` until a call of `noop` succeeds; the monotonic time of that
    /// success, or nil after the round timeout. Blocks the calling thread (the
    /// host's work runs on its own threads and the cooperative pool).
    static func firstSuccessfulCall(_ invoker: Invoker, slot: SlotKey, after start: UInt64) -> UInt64? {
        let empty = UnsafeRawBufferPointer(start: nil, count: 0)
        while true {
            if let site = try? invoker.callSite(.slot(slot), method: "noop"),
               (try? invoker.invoke(site, payload: empty) { _ in }) != nil {
                return caphost_monotonic_ns()
            }
            if caphost_monotonic_ns() - start > roundTimeoutNanoseconds { return nil }
            usleep(pollMicroseconds)
        }
    }
}
