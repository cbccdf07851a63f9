import Foundation
import MCPEventStream

/// An MCP reply as this plugin reads it: the JSON-RPC message (JSON or SSE, through
/// `MCPEventStream`) and what a `tools/call` result holds.
enum MCPReply {
    /// The JSON-RPC response object with `id`, from `body` (`MCPEventStream` reads both shapes).
    static func message(from body: [UInt8], contentType: String, id: Int) throws(RegistryFailure) -> [String: Any] {
        switch MCPEventStream.message(from: body, contentType: contentType, id: id) {
        case .success(let object): return object
        case .failure(let problem): throw .malformed("\(problem.message): \(RegistryFailure.quote(body))")
        }
    }

    /// A `tools/call` result's structured content: `structuredContent` (unwrapped from
    /// FastMCP's `{"result": …}` when that is all it holds), else the first text content parsed
    /// as JSON. A tool error (`isError`) or a JSON-RPC error is `.rejected` with its text.
    static func toolResult(_ message: [String: Any], tool: String) throws(RegistryFailure) -> [String: Any] {
        if let error = message["error"] as? [String: Any] {
            throw .rejected("\(tool): JSON-RPC error \(error["code"] ?? "?"): \(error["message"] ?? "no message")")
        }
        guard let result = message["result"] as? [String: Any] else {
            throw .malformed("\(tool): the reply has neither 'result' nor 'error'")
        }
        let text = ((result["content"] as? [[String: Any]])?.first?["text"] as? String)
        if result["isError"] as? Bool == true {
            throw .rejected("\(tool) failed: \(text ?? "no message")")
        }
        if var structured = result["structuredContent"] as? [String: Any] {
            if structured.count == 1, let inner = structured["result"] as? [String: Any] { structured = inner }
            return structured
        }
        if let text, let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] {
            return object
        }
        throw .malformed("\(tool): the result has no structured content: \(RegistryFailure.quote(Array((text ?? "").utf8)))")
    }
}
