import Foundation

/// What to run, parsed from the command line (`--only dispatch,resolve`,
/// `--skip drop_in`, `--repo PATH`, `--budget SECONDS`, ...).
struct BenchOptions: Sendable {
    /// Every section, in the order they run (the JSON keys of the report).
    static let allSections = ["dispatch", "resolve", "throughput_2_threads", "swap_under_load", "drop_in", "kit_dispatch", "http_invoke", "durable_submit", "cold_start", "oneiric_client", "isolated_round_trip", "schema_pattern"]

    var sections: [String] = allSections
    /// The repository root: where Tests/Fixtures/Plugins and PluginABI/include are.
    var repositoryRoot: String = BenchOptions.defaultRepositoryRoot
    /// Runs per timed figure (the median is reported).
    var runs = 9
    /// Calls per run in the single-thread figures.
    var callsPerRun = 1_000_000
    /// Seconds each throughput thread runs.
    var throughputSeconds = 1.0
    /// Swaps performed under load.
    var swaps = 10_000
    /// New plugins dropped into plugins.d.
    var dropIns = 30
    /// Seconds of each wrk run in http_invoke and durable_submit.
    var httpSeconds = 5
    /// Overall time budget: a section that would start after it is skipped,
    /// and long loops stop early when it runs out.
    var budgetSeconds = 300.0

    static let usage = """
        usage: caphost-bench [--only SECTIONS] [--skip SECTIONS] [--repo PATH] [--runs N]
                             [--calls N] [--seconds S] [--swaps N] [--drop-ins N] [--http-seconds S]
                             [--budget S]

        Prints the SPEC §7 figures as one JSON document on stdout.

          --only SECTIONS   comma-separated sections to run (default: all):
                            \(allSections.joined(separator: ", "))
          --skip SECTIONS   comma-separated sections to leave out
          --repo PATH       repository root (default: found from this source file)
          --runs N          timed runs per figure, median reported (default 9)
          --calls N         calls per run for single-thread figures (default 1000000)
          --seconds S       seconds per throughput measurement (default 1)
          --swaps N         swaps in swap_under_load (default 10000)
          --drop-ins N      plugins dropped in drop_in (default 30)
          --http-seconds S  seconds of each wrk run in http_invoke and durable_submit (default 5)
          --budget S        overall time budget in seconds (default 300)

        Build it (and the runner the probe needs, beside it) with
          swift build -c release --product caphost-bench
          swift build -c release --product caphost-runner
          swift build -c release --product EchoSwiftPlugin   (for kit_dispatch, cold_start)
          swift build -c release --product caphost           (for http_invoke, durable_submit, cold_start; wrk from apt)
          swift build -c release --product DiagramPlugin     (and MailgunPlugin, OutboxPlugin: for cold_start)
          swift build -c release --product OneiricPlugin     (for oneiric_client; its MCP part starts the real
                                                              Oneiric from Tests/Peers/py314/sandbox.sh)
        """

    /// Host/Bench/BenchOptions.swift is two levels below the root.
    static var defaultRepositoryRoot: String {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }

    /// Parses `arguments` (without the program name).
    static func parse(_ arguments: [String]) throws(BenchOptionsError) -> BenchOptions {
        var options = BenchOptions()
        var remaining = arguments[...]
        func value(for flag: String) throws(BenchOptionsError) -> String {
            guard let value = remaining.popFirst() else { throw .missingValue(flag) }
            return value
        }
        func number(for flag: String) throws(BenchOptionsError) -> Int {
            let text = try value(for: flag)
            guard let number = Int(text.replacingOccurrences(of: "_", with: "")), number > 0 else {
                throw .invalidValue(flag, text, "a positive whole number")
            }
            return number
        }
        func seconds(for flag: String) throws(BenchOptionsError) -> Double {
            let text = try value(for: flag)
            guard let number = Double(text), number > 0 else { throw .invalidValue(flag, text, "a positive number of seconds") }
            return number
        }
        func sectionList(for flag: String) throws(BenchOptionsError) -> [String] {
            let names = try value(for: flag).split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            for name in names where !allSections.contains(name) { throw .unknownSection(name) }
            return names
        }
        while let flag = remaining.popFirst() {
            switch flag {
            case "--only":
                let chosen = Set(try sectionList(for: flag))
                options.sections = allSections.filter { chosen.contains($0) }
            case "--skip":
                let skipped = Set(try sectionList(for: flag))
                options.sections.removeAll { skipped.contains($0) }
            case "--repo": options.repositoryRoot = try value(for: flag)
            case "--runs": options.runs = try number(for: flag)
            case "--calls": options.callsPerRun = try number(for: flag)
            case "--seconds": options.throughputSeconds = try seconds(for: flag)
            case "--swaps": options.swaps = try number(for: flag)
            case "--drop-ins": options.dropIns = try number(for: flag)
            case "--http-seconds": options.httpSeconds = try number(for: flag)
            case "--budget": options.budgetSeconds = try seconds(for: flag)
            case "-h", "--help": throw .helpRequested
            default: throw .unknownFlag(flag)
            }
        }
        return options
    }
}
