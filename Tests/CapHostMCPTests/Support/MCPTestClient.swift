import CapHostCore
import CapHostMCP
import CapHostTestSupport
import Foundation
import Synchronization
import Testing

/// Drives one `MCPSession` with JSON-RPC text, as a transport would.
struct MCPTestClient {
    let session: MCPSession
    private var nextID = 1

    init(_ session: MCPSession) { self.session = session }

    /// Sends raw text; returns the parsed reply, or nil when there is none.
    func send(_ text: String) async throws -> JSONValue? {
        guard let reply = await session.receive(Array(text.utf8)) else { return nil }
        return try JSONValue(parsing: reply)
    }

    /// Sends a request and returns the whole reply document.
    mutating func request(_ method: String, _ params: JSONValue? = nil) async throws -> JSONValue {
        var message: [String: JSONValue] = ["jsonrpc": "2.0", "id": .number(JSONNumber(nextID)), "method": .string(method)]
        if let params { message["params"] = params }
        nextID += 1
        let reply = try #require(try await send(JSONValue.object(message).serializedText))
        #expect(reply["id"] == message["id"], "the reply carries the request's id")
        return reply
    }

    /// `initialize` + `notifications/initialized`; returns the initialize result.
    @discardableResult
    mutating func initialize(version: String = "2025-06-18") async throws -> JSONValue {
        let reply = try await request("initialize", ["protocolVersion": .string(version), "capabilities": [:],
                                                     "clientInfo": ["name": "swift-tests", "version": "1"]])
        #expect(try await send(#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#) == nil)
        return try #require(reply["result"])
    }

    /// `tools/call`; returns the CallToolResult.
    mutating func call(_ tool: String, _ arguments: JSONValue = [:]) async throws -> JSONValue {
        let reply = try await request("tools/call", ["name": .string(tool), "arguments": arguments])
        return try #require(reply["result"], "tools/call \(tool) failed: \(reply.serializedText)")
    }

    /// `tools/list`; returns the tools by name.
    mutating func tools() async throws -> [String: JSONValue] {
        let reply = try await request("tools/list")
        let tools = try #require(reply["result"]?["tools"]?.arrayValue)
        return Dictionary(uniqueKeysWithValues: tools.map { ($0["name"]!.stringValue!, $0) })
    }
}

extension JSONValue {
    /// The first text content block of a CallToolResult.
    var toolText: String? { self["content"]?.arrayValue?.first?["text"]?.stringValue }
    var isToolError: Bool { self["isError"] == .bool(true) }
}
