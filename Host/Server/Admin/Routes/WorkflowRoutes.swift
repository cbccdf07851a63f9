import CapHostConfig
import CapHostCore
import CapHostState
import CapHostWorkflows
import Foundation
import HTTPTypes
import Hummingbird

/// `POST /v1/workflows/run` runs a workflow file's text on this host and
/// records the run; `GET /v1/runs` and `GET /v1/runs/{id}` read the record.
///
/// A run answers its report as one JSON document, or — with `Accept:
/// application/x-ndjson` — one JSON line per step as it starts and finishes,
/// then `{"event":"finished","report":…}`. A file, input, requirement or tool
/// problem answers before any step runs: 400 `invalid_workflow` (with every
/// problem's file, line and column), 400 `invalid_input`, 424
/// `requirement_unmet` or 400 `unknown_tool`.
enum WorkflowRoutes {
    static let ndjson = "application/x-ndjson"

    /// The request body.
    struct RunRequest: Decodable {
        /// The workflow file's text.
        let document: String
        /// The file's name, for messages (default `workflow.yaml`).
        let file: String?
        /// Which workflow of a `workflows:` list (needed when it holds more than one).
        let workflow: String?
        let inputs: [String: JSONValue]?
        /// Check everything a run checks first, and run no step.
        let dryRun: Bool?
    }

    static func add(to group: RouterGroup<BasicRequestContext>, _ admin: AdminContext) {
        group.post("workflows/run") { request, context in
            let body = try await JSONResponse.decode(RunRequest.self, from: request, limit: admin.settings.maxRequestBytes, context: context)
            let workflow = try select(body)
            let inputs = body.inputs ?? [:]
            let runner = WorkflowRunner(host: admin.host, durable: admin.deliveries)
            if body.dryRun == true {
                try await checked { () async throws(WorkflowRunError) in try await runner.check(workflow, inputs: inputs) }
                struct Plan: Encodable { let workflow: String; let file: String; let ready: Bool; let steps: [[String: String]] }
                return try JSONResponse.make(Plan(workflow: workflow.name, file: workflow.file, ready: true,
                                                  steps: workflow.steps.map { ["name": $0.name, "tool": $0.tool.description] }))
            }
            let journal = try store(admin)
            guard request.headers[.accept]?.contains(ndjson) == true else {
                let report = try await checked { () async throws(WorkflowRunError) in
                    try await runner.run(workflow, inputs: inputs, journal: journal, document: body.document)
                }
                return try JSONResponse.make(report)
            }
            // Problems that stop a run before it starts answer with a status, not a stream.
            let prepared = try await checked { () async throws(WorkflowRunError) in try await runner.prepare(workflow, inputs: inputs) }
            let (lines, writer) = AsyncStream<ByteBuffer>.makeStream()
            // The run goes on (and is recorded) even if the client goes away.
            Task {
                do throws(WorkflowRunError) {
                    let report = try await runner.run(prepared, journal: journal, document: body.document) { progress in
                        writer.yield(line(progress))
                    }
                    writer.yield(line(["event": "finished", "report": (try? JSONValue(encoding: report)) ?? .null]))
                } catch {
                    writer.yield(line(["event": "refused", "code": .string(error.kind.code), "message": .string(error.description)]))
                }
                writer.finish()
            }
            return Response(status: .ok, headers: [.contentType: ndjson, .cacheControl: "no-cache"],
                            body: ResponseBody(asyncSequence: lines))
        }
        group.get("runs") { request, _ in
            let limit = try EventRoutes.limit(request.uri.queryParameters.get("limit"), default: 50, in: 1...1_000)
            let runs = try store(admin)
            return try JSONResponse.make(["runs": try stored { () throws(StateError) in try runs.runs(limit: limit) }])
        }
        group.get("runs/:id") { _, context in
            let id = try context.parameters.require("id")
            let runs = try store(admin)
            guard let run = try stored({ () throws(StateError) in try runs.run(id: id) }) else {
                throw APIError(.notFound, code: "not_found", message: "no workflow run \(id) (GET /v1/runs lists them)")
            }
            return try JSONResponse.make(run)
        }
    }

    /// The workflow the request names in its document.
    static func select(_ body: RunRequest) throws -> Workflow {
        let workflows: [Workflow]
        do throws(ConfigFileError) {
            workflows = try WorkflowFileParser.parse(data: Data(body.document.utf8), file: body.file ?? "workflow.yaml")
        } catch {
            throw APIError(.badRequest, code: "invalid_workflow", message: error.description,
                           extra: ["problems": error.problems.map(\.description).joined(separator: "\n")])
        }
        switch workflows.choose(body.workflow) {
        case .success(let workflow): return workflow
        case .failure(let error): throw APIError.badRequest("invalid_argument", error.message + (body.workflow == nil ? " with \"workflow\"" : ""))
        }
    }

    /// Runs `body`, answering a problem found before the first step with its status.
    private static func checked<T>(_ body: () async throws(WorkflowRunError) -> T) async throws -> T {
        do throws(WorkflowRunError) {
            return try await body()
        } catch {
            let status: HTTPResponse.Status = switch error.kind {
            case .input, .tool: .badRequest
            case .requirement: HTTPResponse.Status(code: 424, reasonPhrase: "Failed Dependency")
            case .journal: .internalServerError
            }
            throw APIError(status, code: error.kind.code, message: error.description)
        }
    }

    private static func store(_ admin: AdminContext) throws -> WorkflowRunStore {
        guard let runs = admin.workflowRuns else {
            throw APIError(.serviceUnavailable, code: "unavailable", message: "this host keeps no state database, so it records no workflow runs")
        }
        return runs
    }

    private static func stored<T>(_ body: () throws(StateError) -> T) throws -> T {
        do throws(StateError) {
            return try body()
        } catch {
            throw APIError(.internalServerError, code: "internal", message: "\(error)")
        }
    }

    /// One progress event as a JSON line.
    private static func line(_ progress: WorkflowRunner.Progress) -> ByteBuffer {
        switch progress {
        case .started(let step, let index, let count):
            return line(["event": "step_started", "step": .string(step), "index": .number(JSONNumber(index)), "count": .number(JSONNumber(count))])
        case .finished(let report, let index, let count):
            return line(["event": "step_finished", "step": (try? JSONValue(encoding: report)) ?? .null,
                         "index": .number(JSONNumber(index)), "count": .number(JSONNumber(count))])
        }
    }

    private static func line(_ members: [String: JSONValue]) -> ByteBuffer {
        ByteBuffer(bytes: JSONValue.object(members).serialized() + [UInt8(ascii: "\n")])
    }
}
