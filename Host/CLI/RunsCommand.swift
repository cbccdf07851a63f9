import ArgumentParser
import CapHostClient
import CapHostCore
import Foundation

/// `caphost runs` and `caphost runs show ID`: the host's recorded workflow runs.
struct RunsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "runs",
        abstract: "List the workflow runs the host recorded, newest first.",
        discussion: """
        Each run shows its id, workflow, state (running, succeeded, failed, or \
        interrupted), how many steps finished, and when it started. A run the \
        host stopped during (a crash, kill -9, a stop) is resumed at the next \
        start from its first unfinished step; it is `interrupted` only when it \
        cannot be (the reason is its failure). `caphost runs show ID` prints one \
        run with every step's provider, duration, outcome and output.

        Examples:
          caphost runs
          caphost runs --limit 5 --json
          caphost runs show lq2v8x1k-3fa9c2
        """,
        subcommands: [Show.self])

    @Option(help: ArgumentHelp("At most this many runs (1…1000).", valueName: "n"))
    var limit = 20

    @OptionGroup var client: ClientOptions

    func run() async throws {
        let listing = try await client.withClient { try await $0.workflowRuns(limit: limit) }
        if client.json { return try JSONOutput.print(listing) }
        let runs = listing["runs"]?.arrayValue ?? []
        if runs.isEmpty { return Terminal.emit("no workflow runs recorded") }
        var table = TextTable("ID", "WORKFLOW", "STATE", "STEPS", "STARTED")
        for run in runs {
            let started = Date(timeIntervalSince1970: run["startedAt"]?.numberValue?.double ?? 0)
            table.add(run["id"]?.stringValue ?? "", run["workflow"]?.stringValue ?? "", run["state"]?.stringValue ?? "",
                      "\(Int(run["stepsFinished"]?.numberValue?.double ?? 0))/\(Int(run["stepCount"]?.numberValue?.double ?? 0))",
                      ISO8601DateFormatter().string(from: started))
        }
        Terminal.emit(table.render())
    }

    /// `caphost runs show ID`.
    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show one recorded workflow run: each step's provider, duration, outcome and output.")

        @Argument(help: ArgumentHelp("The run's id, as `caphost run` and `caphost runs` print it.", valueName: "id"))
        var id: String

        @OptionGroup var client: ClientOptions

        func run() async throws {
            let run = try await client.withClient { try await $0.workflowRun(id: id) }
            if client.json { return try JSONOutput.print(run) }
            let resumes = Int(run["resumes"]?.numberValue?.double ?? 0)
            Terminal.emit("run \(run["id"]?.stringValue ?? id) of \(run["workflow"]?.stringValue ?? "") (\(run["file"]?.stringValue ?? "")): \(run["state"]?.stringValue ?? "")"
                          + (resumes > 0 ? " (resumed \(resumes) time\(resumes == 1 ? "" : "s") after the host stopped during it)" : ""))
            if let failure = run["failure"]?.stringValue { Terminal.emit("  \(failure)") }
            for step in run["steps"]?.arrayValue ?? [] {
                Terminal.emit("  " + RunCommand.line(for: step))
                if let output = step["output"], output != .null {
                    Terminal.emit("      output: \(String(output.serializedText.prefix(200)))")
                }
            }
        }
    }
}
