import Foundation

/// One JSON-RPC reply of an MCP streamable-HTTP server in either shape FastMCP sends: a plain
/// `application/json` body (`FASTMCP_JSON_RESPONSE=true`), or a `text/event-stream` whose
/// `data:` lines carry the message (the default), with CRLF line ends.
enum MCPReply {
    /// The JSON-RPC response with `id` from `body`.
    static func message(from body: [UInt8], contentType: String, id: Int) throws(MCPFailure) -> [String: Any] {
        if contentType.lowercased().hasPrefix("text/event-stream") {
            for data in events(in: body) {
                if let object = try? JSONSerialization.jsonObject(with: Data(data.utf8)) as? [String: Any],
                   (object["id"] as? Int) == id {
                    return object
                }
            }
            throw .malformed("no JSON-RPC response with id \(id) in the event stream \(MCPFailure.quote(body))")
        }
        guard let object = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any] else {
            throw .malformed("the reply (\(contentType)) is not a JSON object: \(MCPFailure.quote(body))")
        }
        return object
    }

    /// The `data` of each event (its `data:` lines joined by newlines), in order.
    static func events(in body: [UInt8]) -> [String] {
        var events: [String] = []
        var data: [Substring] = []
        // "\r\n" is a single Character in Swift, so split on any newline, CRLF included.
        for line in String(decoding: body, as: UTF8.self).split(omittingEmptySubsequences: false, whereSeparator: \.isNewline) {
            if line.isEmpty {
                if !data.isEmpty { events.append(data.joined(separator: "\n")) }
                data = []
            } else if line.hasPrefix("data:") {
                var value = line.dropFirst(5)
                if value.first == " " { value = value.dropFirst() }
                data.append(value)
            }
        }
        if !data.isEmpty { events.append(data.joined(separator: "\n")) }
        return events
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
