import CapHostConfig
import CapHostCore
import CapHostWorkflows
import Foundation

/// `caphost_run_workflow`: the same run as `POST /v1/workflows/run`, as a tool.
/// A run whose step failed answers `isError` with the report, so the model sees
/// which step failed and why.
extension MCPHostTool {
    static func runWorkflow(on host: CapabilityHost, arguments: [String: JSONValue],
                            journal: (any WorkflowRunJournal)?, durable: (any DurableStepCalls)?) async -> MCPToolResult {
        let document = arguments["document"]?.stringValue ?? ""
        let file = arguments["file"]?.stringValue ?? "workflow.yaml"
        let workflows: [Workflow]
        do throws(ConfigFileError) {
            workflows = try WorkflowFileParser.parse(data: Data(document.utf8), file: file)
        } catch {
            return .failure(code: "invalid_workflow", message: error.description,
                            extra: ["problems": .array(error.problems.map { .string($0.description) })])
        }
        let workflow: Workflow
        switch workflows.choose(arguments["workflow"]?.stringValue) {
        case .success(let chosen): workflow = chosen
        case .failure(let error): return .failure(code: "invalid_argument", message: error.message + " with \"workflow\"")
        }
        let inputs = arguments["inputs"]?.objectValue ?? [:]
        let runner = WorkflowRunner(host: host, durable: durable)
        do throws(WorkflowRunError) {
            if arguments["dry_run"]?.boolValue == true {
                try await runner.check(workflow, inputs: inputs)
                return .success(["workflow": .string(workflow.name), "ready": true,
                                 "steps": .array(workflow.steps.map { ["name": .string($0.name), "tool": .string($0.tool.description)] })])
            }
            let report = try await runner.run(workflow, inputs: inputs, journal: journal, document: document)
            var result = encoded(report)
            result.isError = !report.succeeded
            return result
        } catch {
            return .failure(code: error.kind.code, message: error.description,
                            extra: ["problems": .array(error.problems.map { .string($0) })])
        }
    }
}
