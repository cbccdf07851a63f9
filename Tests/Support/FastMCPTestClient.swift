import AsyncHTTPClient
import Foundation
import NIOCore

/// An MCP streamable-HTTP client for tests, talking to a FastMCP server (oneiric, session-buddy)
/// as a third party would: one JSON-RPC POST at a time, JSON or SSE replies, its own session.
public struct FastMCPTestClient: Sendable {
    /// The MCP endpoint.
    public let url: String
    /// What the server is, for messages (`oneiric mcp`, `session-buddy`).
    public let server: String

    public init(url: String, server: String) {
        self.url = url
        self.server = server
    }

    static var initializeParams: [String: Any] { [
        "protocolVersion": "2025-06-18", "capabilities": [String: Any](), "clientInfo": ["name": "caphost-tests", "version": "1"],
    ] }

    /// `initialize`; the session id the server named (nil when it named none). Throws while the
    /// server does not answer, so it doubles as a readiness probe.
    @discardableResult
    public func initialize() async throws -> String? {
        try await post(["jsonrpc": "2.0", "id": 0, "method": "initialize", "params": Self.initializeParams], session: nil).session
    }

    /// Calls a tool in a session of its own and returns the result's `structuredContent`.
    public func callTool(_ name: String, _ arguments: [String: Any] = [:]) async throws -> [String: Any] {
        guard let session = try await initialize() else { throw FixtureError("\(server): initialize gave no mcp-session-id") }
        _ = try await post(["jsonrpc": "2.0", "method": "notifications/initialized"], session: session)
        let reply = try await post(["jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": ["name": name, "arguments": arguments]],
                                   session: session).reply
        guard let result = reply?["result"] as? [String: Any], let structured = result["structuredContent"] as? [String: Any] else {
            throw FixtureError("\(server): \(name) answered without structuredContent: \(String(describing: reply))")
        }
        return structured
    }

    /// One JSON-RPC POST: the reply (JSON, or the `data:` of an SSE reply) and the session id
    /// the answer names (else `session`).
    public func post(_ message: [String: Any], session: String?,
                     timeout: TimeAmount = .seconds(30)) async throws -> (reply: [String: Any]?, session: String?) {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "Accept", value: "application/json, text/event-stream")
        if let session {
            request.headers.add(name: "Mcp-Session-Id", value: session)
            request.headers.add(name: "MCP-Protocol-Version", value: "2025-06-18")
        }
        request.body = .bytes(ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: message)))
        let response = try await HTTPClient.shared.execute(request, timeout: timeout)
        let body = try await response.body.collect(upTo: 16 << 20)
        guard (200..<300).contains(response.status.code) else {
            throw FixtureError("\(server): HTTP \(response.status.code): \(String(buffer: body))")
        }
        let named = response.headers.first(name: "mcp-session-id") ?? session
        var text = String(buffer: body)
        if response.headers.first(name: "content-type")?.hasPrefix("text/event-stream") == true {
            text = text.split(whereSeparator: \.isNewline).filter { $0.hasPrefix("data:") }.map { String($0.dropFirst(5)) }.joined()
        }
        guard !text.isEmpty else { return (nil, named) }
        return (try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any], named)
    }
}
