import Foundation

/// A JSON-RPC reply of an MCP streamable-HTTP server, in either shape it may take: a plain
/// `application/json` body, or a `text/event-stream` whose `data:` lines carry the message (with
/// CRLF line ends from FastMCP). REFERENCE §3: the Swift MCP SDK hangs on the SSE shape on Linux,
/// so the plugins that speak MCP (oneiric, session-buddy) read both shapes with this.
package enum MCPEventStream {
    /// Why a reply holds no usable response (the caller adds the body, quoted its own way).
    package struct Problem: Error {
        package let message: String
    }

    /// The JSON-RPC response object with `id`, from `body`.
    package static func message(from body: [UInt8], contentType: String, id: Int) -> Result<[String: Any], Problem> {
        if contentType.lowercased().hasPrefix("text/event-stream") {
            for data in events(in: body) {
                if let object = try? JSONSerialization.jsonObject(with: Data(data.utf8)) as? [String: Any], (object["id"] as? Int) == id {
                    return .success(object)
                }
            }
            return .failure(Problem(message: "no JSON-RPC response with id \(id) in the event stream"))
        }
        guard let object = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any] else {
            return .failure(Problem(message: "the reply (\(contentType.isEmpty ? "no content type" : contentType)) is not a JSON object"))
        }
        return .success(object)
    }

    /// The `data` of each event (its `data:` lines joined by newlines), in order.
    package static func events(in body: [UInt8]) -> [String] {
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
}
