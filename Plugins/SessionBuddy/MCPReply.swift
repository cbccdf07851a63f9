import Foundation
import MCPEventStream

/// An MCP reply as this plugin reads it: the JSON-RPC message (JSON or SSE, through
/// `MCPEventStream`) and what a `tools/call` result holds.
enum MCPReply {
    /// The JSON-RPC response object with `id`, from `body` (`MCPEventStream` reads both shapes).
    static func message(from body: [UInt8], contentType: String, id: Int) throws(MCPFailure) -> [String: Any] {
        switch MCPEventStream.message(from: body, contentType: contentType, id: id) {
        case .success(let object): return object
        case .failure(let problem): throw .malformed("\(problem.message): \(MCPFailure.quote(body))")
        }
    }

    /// A `tools/call` result: the text in `structuredContent.result` (session-buddy's memory
    /// tools) or the structured object itself (`ping`, `get_health`). A JSON-RPC error or a
    /// tool error (`isError`) is `.rejected` with its message.
    static func toolResult(_ message: [String: Any], tool: String) throws(MCPFailure) -> ToolResult {
        if let error = message["error"] as? [String: Any] {
            throw .rejected("\(tool): JSON-RPC error \(error["code"] ?? "?"): \(error["message"] ?? "no message")")
        }
        guard let result = message["result"] as? [String: Any] else {
            throw .malformed("\(tool): the reply has neither 'result' nor 'error'")
        }
        let text = (result["content"] as? [[String: Any]])?.first?["text"] as? String
        if result["isError"] as? Bool == true {
            throw .rejected("\(tool) failed: \(text ?? "no message")")
        }
        if let structured = result["structuredContent"] as? [String: Any] {
            if structured.count == 1, let inner = structured["result"] as? String { return .text(inner) }
            return .object(structured)
        }
        if let text { return .text(text) }
        throw .malformed("\(tool): the result has neither structuredContent nor text content")
    }

    /// What a tool answered.
    enum ToolResult: @unchecked Sendable {
        case text(String)
        case object([String: Any])

        /// The text, or `.malformed` naming the tool when it answered an object.
        func text(of tool: String) throws(MCPFailure) -> String {
            switch self {
            case .text(let text): return text
            case .object(let object):
                throw .malformed("\(tool) answered an object where the plugin expects text: \(MCPFailure.quote(Array((try? JSONSerialization.data(withJSONObject: object)) ?? Data())))")
            }
        }
    }
}
