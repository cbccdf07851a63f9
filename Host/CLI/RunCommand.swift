import ArgumentParser
import CapHostClient
import CapHostConfig
import CapHostCore
import CapHostWorkflows
import Foundation

/// `caphost run FILE`: run a workflow on the running host.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a YAML workflow (seed 001's format) on the running host and print its report.",
        discussion: """
        The file is checked here first: every reference, step name and tool, with \
        file, line and column for each problem. The host then checks the inputs, \
        resolves and health-checks every adapter requirement, and binds every tool \
        before the first step runs; a requirement it cannot meet is named with \
        every candidate it considered.

        Inputs are --input NAME=VALUE (VALUE is read as JSON when it is JSON, as \
        text otherwise) or --input-file with a JSON object. On a terminal each \
        step prints a line as it starts and finishes. The run is recorded: \
        `caphost runs` lists runs, `caphost runs show ID` shows one.

        Exit status: 0 when the run succeeded, 1 when a step failed (or a \
        requirement could not be met, or the host stopped during the run: it \
        resumes the run when it starts again), 2 for a file or input error, 3 \
        when the host cannot be reached.

        Examples:
          caphost run backup.yaml --input 'repos=["caphost","oneiric"]'
          caphost run flows.yaml --workflow nightly --input-file inputs.json --json
          caphost run backup.yaml --dry-run
        """)

    @Argument(help: ArgumentHelp("The workflow file (YAML).", valueName: "file"))
    var file: String

    @Option(name: .customLong("input"), help: ArgumentHelp("An input as NAME=VALUE (repeatable).", valueName: "name=value"))
    var inputs: [String] = []

    @Option(help: ArgumentHelp("A JSON object of inputs (given --input values win).", valueName: "file"))
    var inputFile: String?

    @Option(help: ArgumentHelp("Which workflow of a file with a workflows: list.", valueName: "name"))
    var workflow: String?

    @Flag(help: "Check the file, inputs, requirements and tools; run no step.")
    var dryRun = false

    @OptionGroup var client: ClientOptions

    func run() async throws {
        let document: String
        do {
            guard let data = FileManager.default.contents(atPath: file) else {
                throw ConfigFileError(file: file, message: "cannot be read (missing, or not a readable file)")
            }
            let workflows = try WorkflowFileParser.parse(data: data, file: file)
            if case .failure(let error) = workflows.choose(workflow) {
                throw ConfigFileError(file: file, message: error.message + (workflow == nil ? " with --workflow" : ""))
            }
            document = String(decoding: data, as: UTF8.self)
        } catch let error as ConfigFileError {
            Terminal.error(error.description)
            throw ExitCode(2)
        }
        let values = try readInputs()
        if dryRun {
            let plan = try await Self.inputErrorsExitTwo {
                try await client.withClient { try await $0.checkWorkflow(document: document, file: file, workflow: workflow, inputs: values) }
            }
            if client.json { try JSONOutput.print(plan) } else {
                Terminal.emit("\(plan["workflow"]?.stringValue ?? "workflow") is ready to run: inputs, requirements and tools checked")
                for step in plan["steps"]?.arrayValue ?? [] {
                    Terminal.emit("  \(step["name"]?.stringValue ?? "")  \(step["tool"]?.stringValue ?? "")")
                }
            }
            return
        }
        let progress = Terminal.stderrIsTerminal && !client.json
        var report: JSONValue?
        try await Self.inputErrorsExitTwo {
            try await client.withClient { client in
                for try await event in client.runWorkflow(document: document, file: file, workflow: workflow, inputs: values) {
                    switch event["event"]?.stringValue {
                    case "step_started" where progress:
                        Terminal.error("[\(Self.position(event))] \(event["step"]?.stringValue ?? "") …")
                    case "step_finished" where progress:
                        Terminal.error("[\(Self.position(event))] " + Self.line(for: event["step"] ?? .null))
                    case "finished":
                        report = event["report"]
                    case "refused":
                        throw HostClientError(kind: .host, code: event["code"]?.stringValue ?? "refused", message: event["message"]?.stringValue ?? "")
                    default:
                        break
                    }
                }
            }
        }
        guard let report else {
            throw ClientCommandFailure(HostClientError(kind: .connectionLost, code: "incomplete", message: "the host ended the run's stream without a report"))
        }
        if client.json {
            try JSONOutput.print(report)
        } else {
            for step in report["steps"]?.arrayValue ?? [] { Terminal.emit(Self.line(for: step)) }
            let id = report["id"]?.stringValue ?? ""
            let duration = report["durationMilliseconds"]?.numberValue?.double ?? 0
            if report["succeeded"]?.boolValue == true {
                Terminal.emit("run \(id) of \(report["workflow"]?.stringValue ?? "") succeeded in \(Self.milliseconds(duration))")
            } else if report["interrupted"]?.boolValue == true {
                Terminal.emit("run \(id) of \(report["workflow"]?.stringValue ?? "") was interrupted: \(report["failure"]?.stringValue ?? "") (caphost runs show \(id) follows it)")
            } else {
                Terminal.emit("run \(id) of \(report["workflow"]?.stringValue ?? "") failed: \(report["failure"]?.stringValue ?? "")")
            }
        }
        if report["succeeded"]?.boolValue != true { throw ExitCode(1) }
    }

    /// Runs `body`; the host refusing the file or the inputs exits 2 (the caller's
    /// mistake), like a file error found here; every other failure keeps its status.
    private static func inputErrorsExitTwo<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let failure as ClientCommandFailure where ["invalid_workflow", "invalid_input"].contains(failure.error.code) {
            Terminal.error("caphost: \(failure.description)")
            throw ExitCode(2)
        }
    }

    /// `--input-file` first, then each `--input` (later ones win).
    private func readInputs() throws -> [String: JSONValue] {
        var values: [String: JSONValue] = [:]
        if let inputFile {
            guard let data = FileManager.default.contents(atPath: inputFile) else {
                Terminal.error("caphost: --input-file \(inputFile): cannot be read")
                throw ExitCode(2)
            }
            let parsed: JSONValue
            do {
                parsed = try JSONValue(parsing: [UInt8](data))
            } catch {
                Terminal.error("caphost: --input-file \(inputFile): \(error)")
                throw ExitCode(2)
            }
            guard case .object(let members) = parsed else {
                Terminal.error("caphost: --input-file \(inputFile): expected a JSON object of inputs, found \(parsed.kindName)")
                throw ExitCode(2)
            }
            values = members
        }
        for input in inputs {
            guard let equals = input.firstIndex(of: "="), equals > input.startIndex else {
                Terminal.error("caphost: --input \(input): expected NAME=VALUE")
                throw ExitCode(2)
            }
            let text = String(input[input.index(after: equals)...])
            values[String(input[..<equals])] = (try? JSONValue(parsing: text)) ?? .string(text)
        }
        return values
    }

    private static func position(_ event: JSONValue) -> String {
        let index = Int(event["index"]?.numberValue?.double ?? 0) + 1
        return "\(index)/\(Int(event["count"]?.numberValue?.double ?? 0))"
    }

    /// `✓ name  provider  12.3 ms`, `✗ name  error`, `– name  skipped`.
    static func line(for step: JSONValue) -> String {
        let name = step["name"]?.stringValue ?? ""
        let duration = milliseconds(step["durationMilliseconds"]?.numberValue?.double ?? 0)
        switch step["outcome"]?.stringValue {
        case "succeeded": return "✓ \(name)  \(step["provider"]?.stringValue ?? "")  \(duration)"
        case "failed": return "✗ \(name)  \(step["error"]?.stringValue ?? "")"
        case "skipped": return "– \(name)  skipped (\(step["error"]?.stringValue ?? ""))"
        default: return "· \(name)  not run"
        }
    }

    static func milliseconds(_ value: Double) -> String { String(format: "%.1f ms", value) }
}
