import AsyncHTTPClient
import CapHostCore
import Foundation
import NIOCore

extension HostClient {
    /// `POST /v1/workflows/run` with `Accept: application/x-ndjson`: the host
    /// runs the workflow in `document` and the stream yields each JSON line as
    /// it comes (`step_started`, `step_finished`, then `finished` with the
    /// report). A problem found before the first step throws the host's
    /// `{code, message}` (`invalid_workflow`, `invalid_input`,
    /// `requirement_unmet`, `unknown_tool`).
    public func runWorkflow(document: String, file: String, workflow: String? = nil,
                            inputs: [String: JSONValue] = [:]) -> AsyncThrowingStream<JSONValue, any Error> {
        AsyncThrowingStream { continuation in
            let task = Task {
                do {
                    try await streamRun(body: Self.runBody(document: document, file: file, workflow: workflow, inputs: inputs, dryRun: false),
                                        continuation: continuation)
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    /// The same request with `dryRun`: the host checks the file, inputs,
    /// requirements and tools, runs no step, and answers the plan.
    public func checkWorkflow(document: String, file: String, workflow: String? = nil,
                              inputs: [String: JSONValue] = [:]) async throws(HostClientError) -> JSONValue {
        let body = Self.runBody(document: document, file: file, workflow: workflow, inputs: inputs, dryRun: true)
        let response = try await call("POST", "/v1/workflows/run", body: body, headers: [("Content-Type", "application/json")])
        return try decode(JSONValue.self, from: response, method: "POST", path: "/v1/workflows/run")
    }

    /// `GET /v1/runs`: recorded workflow runs, newest first.
    public func workflowRuns(limit: Int? = nil) async throws(HostClientError) -> JSONValue {
        let response = try await call("GET", "/v1/runs", query: limit.map { [("limit", String($0))] } ?? [])
        return try decode(JSONValue.self, from: response, method: "GET", path: "/v1/runs")
    }

    /// `GET /v1/runs/{id}`: one recorded run with its steps.
    public func workflowRun(id: String) async throws(HostClientError) -> JSONValue {
        let path = "/v1/runs/" + Self.segment(id)
        let response = try await call("GET", path)
        return try decode(JSONValue.self, from: response, method: "GET", path: path)
    }

    static func runBody(document: String, file: String, workflow: String?, inputs: [String: JSONValue], dryRun: Bool) -> [UInt8] {
        var members: [String: JSONValue] = ["document": .string(document), "file": .string(file), "inputs": .object(inputs),
                                            "dryRun": .bool(dryRun)]
        if let workflow { members["workflow"] = .string(workflow) }
        return JSONValue.object(members).serialized()
    }

    private func streamRun(body: [UInt8], continuation: AsyncThrowingStream<JSONValue, any Error>.Continuation) async throws {
        let path = "/v1/workflows/run"
        let request = makeRequest("POST", path, query: [], body: body,
                                  headers: [("Content-Type", "application/json"), ("Accept", "application/x-ndjson")])
        let response = try await openStream(request, method: "POST", path: path)
        var pending: [UInt8] = []
        do {
            for try await buffer in response.body {
                pending += buffer.readableBytesView
                while let end = pending.firstIndex(of: UInt8(ascii: "\n")) {
                    let line = Array(pending[..<end])
                    pending.removeSubrange(...end)
                    guard !line.isEmpty else { continue }
                    guard let value = try? JSONValue(parsing: line) else {
                        throw HostClientError(kind: .invalidResponse, status: 200, code: "invalid_response",
                                              message: "POST \(path) streamed a line that is not JSON: \(Self.preview(line))")
                    }
                    continuation.yield(value)
                }
            }
        } catch let error as HostClientError {
            throw error
        } catch {
            throw classify(error, method: "POST", path: path)
        }
    }
}
