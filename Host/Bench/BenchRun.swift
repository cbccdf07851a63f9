import CCapHostSupport
import Foundation

/// Runs the chosen sections in order within the time budget and collects the report.
struct BenchRun {
    let options: BenchOptions

    func run() async -> BenchReport {
        let started = caphost_monotonic_ns()
        var report = BenchReport(machine: .current(), command: CommandLine.arguments)
        for section in BenchOptions.allSections where !options.sections.contains(section) {
            report.skipped[section] = "not selected (--only / --skip)"
        }
        let workspace: BenchWorkspace
        do throws(BenchError) {
            workspace = try BenchWorkspace()
        } catch {
            report.errors["workspace"] = error.description
            return report
        }
        defer { workspace.remove() }
        let context = BenchContext(options: options, workspace: workspace)
        for section in options.sections {
            if context.isPastDeadline {
                report.skipped[section] = "time budget of \(options.budgetSeconds) s used up"
                continue
            }
            let sectionStart = caphost_monotonic_ns()
            Self.progress("\(section)…")
            do throws(BenchError) {
                switch section {
                case "dispatch": report.dispatch = try await DispatchBenchmark.run(context)
                case "resolve": report.resolve = try await ResolveBenchmark.run(context)
                case "throughput_2_threads": report.throughput2Threads = try await ThroughputBenchmark.run(context)
                case "swap_under_load": report.swapUnderLoad = try await SwapUnderLoadBenchmark.run(context)
                case "drop_in": report.dropIn = try await DropInBenchmark.run(context)
                case "kit_dispatch": report.kitDispatch = try await KitDispatchBenchmark.run(context)
                case "http_invoke": report.httpInvoke = try await HTTPInvokeBenchmark.run(context)
                case "durable_submit": report.durableSubmit = try await DurableSubmitBenchmark.run(context)
                case "cold_start": report.coldStart = try await ColdStartBenchmark.run(context)
                case "oneiric_client": report.oneiricClient = try await OneiricClientBenchmark.run(context)
                case "isolated_round_trip": report.isolatedRoundTrip = try await IsolatedRoundTripBenchmark.run(context)
                case "schema_pattern": report.schemaPattern = try SchemaPatternBenchmark.run(context)
                default: throw BenchError("no such section")
                }
                Self.progress("\(section) done in \(String(format: "%.1f", Double(caphost_monotonic_ns() - sectionStart) / 1e9)) s")
            } catch {
                report.errors[section] = error.description
                Self.progress("\(section) failed: \(error)")
            }
        }
        report.machine.loadAverageAtEnd = MachineDescription.loadAverage()
        report.allPass = report.errors.isEmpty && !report.passes.isEmpty && report.passes.allSatisfy { $0 }
        report.durationSeconds = SampleSummary.rounded(Double(caphost_monotonic_ns() - started) / 1e9, decimals: 1)
        return report
    }

    /// Progress goes to stderr; stdout carries only the JSON.
    static func progress(_ line: String) {
        FileHandle.standardError.write(Data("caphost-bench: \(line)\n".utf8))
    }
}
