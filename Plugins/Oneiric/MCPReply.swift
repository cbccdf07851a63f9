import Foundation

/// One JSON-RPC reply of an MCP streamable-HTTP server, read from either shape it may take:
/// a plain `application/json` body, or a `text/event-stream` whose `data:` lines carry the
/// message (REFERENCE §3: the Swift MCP SDK hangs on the SSE shape on Linux, so the plugin
/// reads both itself).
enum MCPReply {
    /// The JSON-RPC response object with `id`, from `body`.
    static func message(from body: [UInt8], contentType: String, id: Int) throws(RegistryFailure) -> [String: Any] {
        if contentType.lowercased().hasPrefix("text/event-stream") {
            for data in events(in: body) {
                if let object = try? JSONSerialization.jsonObject(with: Data(data.utf8)) as? [String: Any],
                   (object["id"] as? Int) == id {
                    return object
                }
            }
            throw .malformed("no JSON-RPC response with id \(id) in the event stream: \(RegistryFailure.quote(body))")
        }
        guard let object = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any] else {
            throw .malformed("the reply is not a JSON object: \(RegistryFailure.quote(body))")
        }
        return object
    }

    /// The `data` of each event (`data:` lines joined by newlines), in order.
    static func events(in body: [UInt8]) -> [String] {
        var events: [String] = []
        var data: [Substring] = []
        let text = String(decoding: body, as: UTF8.self)
        // "\r\n" is one Character in Swift: split on any newline, CRLF included.
        for line in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline) {
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
