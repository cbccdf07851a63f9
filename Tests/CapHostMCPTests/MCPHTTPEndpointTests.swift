import CapHostCore
import CapHostMCP
import CapHostTestSupport
import Foundation
import Testing

/// The streamable HTTP semantics of `MCPHTTPEndpoint`: sessions, status codes,
/// JSON vs SSE replies, the GET notification stream, DELETE, and refusals.
@Suite(.serialized) struct MCPHTTPEndpointTests {
    static let both = "application/json, text/event-stream"

    func withEndpoint(_ adjust: (inout MCPHTTPEndpoint.Options) -> Void = { _ in },
                      _ body: (MCPHTTPEndpoint, TestHost) async throws -> Void) async throws {
        var options = MCPHTTPEndpoint.Options()
        adjust(&options)
        try await TestHost.with { testHost in
            try await testHost.load("noop.c", as: "alpha.so", defines: MCPFixtures.noop(provider: "alpha"))
            var serverOptions = MCPServer.Options()
            serverOptions.listChangedDebounce = .milliseconds(20)
            let server = MCPServer(host: testHost.host, options: serverOptions, logger: MCPFixtures.logger)
            server.start()
            let endpoint = MCPHTTPEndpoint(server: server, options: options)
            try await withStopping(endpoint, stop: { endpoint in
                endpoint.closeAllSessions()
                server.stop()
            }) { endpoint in
                try await body(endpoint, testHost)
            }
        }
    }

    func post(_ endpoint: MCPHTTPEndpoint, _ body: String, session: String? = nil, accept: String? = both,
              contentType: String? = "application/json", version: String? = nil, origin: String? = nil) async -> MCPHTTPResponse {
        await endpoint.handle(MCPHTTPRequest(method: "POST", accept: accept, contentType: contentType, sessionID: session,
                                             protocolVersion: version, origin: origin, body: Array(body.utf8)))
    }

    static let initialize = #"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}"#
    static let initialized = #"{"jsonrpc":"2.0","method":"notifications/initialized"}"#

    /// Initializes a session; returns its id.
    func open(_ endpoint: MCPHTTPEndpoint) async throws -> String {
        let response = await post(endpoint, Self.initialize)
        #expect(response.status == 200)
        let id = try #require(response.header("Mcp-Session-Id"))
        #expect(await post(endpoint, Self.initialized, session: id, version: "2025-06-18").status == 202)
        return id
    }

    func json(_ response: MCPHTTPResponse) throws -> JSONValue { try JSONValue(parsing: response.bodyBytes) }

    @Test func initializeAssignsASessionAndRequestsUseIt() async throws {
        try await withEndpoint { endpoint, _ in
            let response = await post(endpoint, Self.initialize)
            #expect(response.status == 200)
            #expect(response.header("Content-Type") == "application/json")
            let id = try #require(response.header("mcp-session-id"))
            #expect(id.count == 32 && id.allSatisfy(\.isHexDigit))
            #expect(try json(response)["result"]?["protocolVersion"] == "2025-06-18")
            #expect(endpoint.sessionCount == 1)

            let notified = await post(endpoint, Self.initialized, session: id)
            #expect(notified.status == 202)
            #expect(notified.bodyBytes.isEmpty)

            let list = await post(endpoint, #"{"jsonrpc":"2.0","id":2,"method":"tools/list"}"#, session: id, version: "2025-06-18")
            #expect(list.status == 200)
            #expect(try json(list)["result"]?["tools"]?.arrayValue?.contains { $0["name"] == "adapter__bench__echo" } == true)

            let call = await post(endpoint, #"{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"adapter__bench__echo","arguments":{"text":"x"}}}"#,
                                  session: id, version: "2025-06-18")
            #expect(try json(call)["result"]?["structuredContent"] == ["text": "x"])
            let reply = await post(endpoint, #"{"jsonrpc":"2.0","id":5,"result":{}}"#, session: id)
            #expect(reply.status == 202, "a response from the client gets 202")
        }
    }

    @Test func answersAsServerSentEventsWhenAsked() async throws {
        try await withEndpoint { endpoint, _ in
            let onlySSE = await post(endpoint, Self.initialize, accept: "text/event-stream")
            #expect(onlySSE.status == 200)
            #expect(onlySSE.header("Content-Type") == "text/event-stream")
            let text = String(decoding: onlySSE.bodyBytes, as: UTF8.self)
            #expect(text.hasPrefix("event: message\ndata: {"))
            #expect(text.hasSuffix("}\n\n"))
            let data = try #require(text.split(separator: "\n").first { $0.hasPrefix("data: ") }).dropFirst(6)
            #expect(try JSONValue(parsing: String(data))["result"]?["protocolVersion"] == "2025-06-18")
        }
        try await withEndpoint({ $0.preferEventStream = true }) { endpoint, _ in
            #expect(await post(endpoint, Self.initialize).header("Content-Type") == "text/event-stream")
            #expect(await post(endpoint, Self.initialize, accept: "application/json").header("Content-Type") == "application/json")
        }
    }

    @Test func sessionHeaderIsRequiredAndChecked() async throws {
        try await withEndpoint { endpoint, _ in
            let id = try await open(endpoint)
            let ping = #"{"jsonrpc":"2.0","id":9,"method":"ping"}"#
            let missing = await post(endpoint, ping)
            #expect(missing.status == 400)
            #expect(try json(missing)["error"]?["message"]?.stringValue?.contains("Mcp-Session-Id header is required") == true)
            let unknown = await post(endpoint, ping, session: "feedfacefeedfacefeedfacefeedface")
            #expect(unknown.status == 404)
            #expect(try json(unknown)["error"]?["code"] == -32600)
            let version = await post(endpoint, ping, session: id, version: "2020-01-01")
            #expect(version.status == 400)
            #expect(try json(version)["error"]?["message"]?.stringValue?.contains("unsupported MCP-Protocol-Version '2020-01-01'") == true)
            #expect(await post(endpoint, ping, session: id).status == 200, "no version header: assumed 2025-03-26, accepted")
        }
    }

    @Test func refusesWhatIsNotMCP() async throws {
        try await withEndpoint { endpoint, _ in
            let plain = await post(endpoint, Self.initialize, contentType: "text/plain")
            #expect(plain.status == 415)
            #expect(await post(endpoint, Self.initialize, contentType: "application/json; charset=utf-8").status == 200)
            #expect(await post(endpoint, Self.initialize, accept: "text/html").status == 406)
            #expect(await post(endpoint, Self.initialize, accept: nil).status == 200, "no Accept: JSON")
            let garbage = await post(endpoint, "{nope")
            #expect(garbage.status == 400)
            let parseError = try json(garbage)
            #expect(parseError["error"]?["code"] == -32700)
            let put = await endpoint.handle(MCPHTTPRequest(method: "PUT"))
            #expect(put.status == 405)
            #expect(put.header("Allow") == "GET, POST, DELETE")
            let evil = await post(endpoint, Self.initialize, origin: "http://evil.example")
            #expect(evil.status == 403)
            #expect(await post(endpoint, Self.initialize, origin: "http://localhost:7070").status == 200)
            #expect(await post(endpoint, Self.initialize, origin: "http://127.0.0.1:7070").status == 200)
            #expect(await post(endpoint, Self.initialize, origin: "http://localhost.evil.example").status == 403)
            #expect(await post(endpoint, Self.initialize, origin: "null").status == 403)
        }
        try await withEndpoint({ $0.maximumBodyBytes = 10 }) { endpoint, _ in
            #expect(await post(endpoint, Self.initialize).status == 413)
        }
    }

    @Test func aFailedInitializeOpensNoSession() async throws {
        try await withEndpoint { endpoint, _ in
            let response = await post(endpoint, #"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{}}"#)
            #expect(response.header("Mcp-Session-Id") == nil)
            let reply = try json(response)
            #expect(reply["error"]?["code"] == -32602)
            #expect(endpoint.sessionCount == 0)
        }
    }

    @Test func deleteEndsTheSession() async throws {
        try await withEndpoint { endpoint, _ in
            let id = try await open(endpoint)
            #expect(await endpoint.handle(MCPHTTPRequest(method: "DELETE")).status == 400)
            #expect(await endpoint.handle(MCPHTTPRequest(method: "DELETE", sessionID: id)).status == 204)
            #expect(await post(endpoint, #"{"jsonrpc":"2.0","id":2,"method":"ping"}"#, session: id).status == 404)
            #expect(await endpoint.handle(MCPHTTPRequest(method: "DELETE", sessionID: id)).status == 404)
            #expect(endpoint.sessionCount == 0)
        }
    }

    @Test func idleSessionsExpireAndTheOldestMakesRoom() async throws {
        try await withEndpoint({ $0.sessionIdleTimeout = .milliseconds(100); $0.maximumSessions = 2 }) { endpoint, _ in
            let first = try await open(endpoint)
            try await Task.sleep(for: .milliseconds(200))
            #expect(await post(endpoint, #"{"jsonrpc":"2.0","id":2,"method":"ping"}"#, session: first).status == 404)
        }
        try await withEndpoint({ $0.sessionIdleTimeout = .milliseconds(300) }) { endpoint, _ in
            let busy = try await open(endpoint)
            for _ in 0..<6 {
                try await Task.sleep(for: .milliseconds(100))
                #expect(await post(endpoint, #"{"jsonrpc":"2.0","id":2,"method":"ping"}"#, session: busy).status == 200,
                        "each request keeps the session alive")
            }
        }
        try await withEndpoint({ $0.maximumSessions = 2 }) { endpoint, _ in
            let oldest = try await open(endpoint)
            try await Task.sleep(for: .milliseconds(5))
            let middle = try await open(endpoint)
            _ = try await open(endpoint)
            #expect(endpoint.sessionCount == 2)
            #expect(await post(endpoint, #"{"jsonrpc":"2.0","id":2,"method":"ping"}"#, session: oldest).status == 404)
            #expect(await post(endpoint, #"{"jsonrpc":"2.0","id":2,"method":"ping"}"#, session: middle).status == 200)
        }
    }

    @Test func getStreamsListChangedAndResumes() async throws {
        try await withEndpoint({ $0.keepAliveInterval = .milliseconds(50) }) { endpoint, testHost in
            let id = try await open(endpoint)
            #expect(await endpoint.handle(MCPHTTPRequest(method: "GET", accept: "application/json", sessionID: id)).status == 406)
            #expect(await endpoint.handle(MCPHTTPRequest(method: "GET", accept: "text/event-stream")).status == 400)
            let response = await endpoint.handle(MCPHTTPRequest(method: "GET", accept: "text/event-stream", sessionID: id))
            #expect(response.status == 200)
            #expect(response.header("Content-Type") == "text/event-stream")
            guard case .stream(let frames) = response.body else {
                Issue.record("a GET answers with a stream")
                return
            }
            let recorder = StreamRecorder(frames)
            try await testHost.load("noop.c", as: "outbox.so", defines: MCPFixtures.noop(provider: "outbox", category: "notifier"))
            try await eventually("list_changed on the GET stream") {
                recorder.items.contains { String(decoding: $0, as: UTF8.self).contains("notifications/tools/list_changed") }
            }
            let texts = recorder.items.map { String(decoding: $0, as: UTF8.self) }
            #expect(texts.first?.hasPrefix(": caphost MCP event stream") == true)
            let event = try #require(texts.first { $0.contains("list_changed") })
            #expect(event == "id: 1\nevent: message\ndata: {\"jsonrpc\":\"2.0\",\"method\":\"notifications/tools/list_changed\"}\n\n")
            try await eventually("a keep-alive comment") { recorder.items.contains { $0 == Array(": keep-alive\n\n".utf8) } }

            // Reconnecting with Last-Event-ID 0 replays it; the first stream ends.
            let again = await endpoint.handle(MCPHTTPRequest(method: "GET", accept: "text/event-stream", sessionID: id, lastEventID: "0"))
            guard case .stream(let replayed) = again.body else {
                Issue.record("a GET answers with a stream")
                return
            }
            let second = StreamRecorder(replayed)
            try await eventually("the replayed event") { second.items.contains { String(decoding: $0, as: UTF8.self).hasPrefix("id: 1\n") } }
            try await eventually("the replaced stream ends") { recorder.isFinished }

            // DELETE ends the open stream too.
            #expect(await endpoint.handle(MCPHTTPRequest(method: "DELETE", sessionID: id)).status == 204)
            try await eventually("the stream of a deleted session ends") { second.isFinished }
        }
    }

    @Test func batchesFollowTheSessionsRevision() async throws {
        try await withEndpoint { endpoint, _ in
            let initialize = #"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-03-26"}}"#
            let id = try #require(await post(endpoint, initialize).header("Mcp-Session-Id"))
            let batch = await post(endpoint, #"[{"jsonrpc":"2.0","method":"notifications/initialized"},{"jsonrpc":"2.0","id":2,"method":"ping"}]"#,
                                   session: id, version: "2025-03-26")
            #expect(batch.status == 200)
            #expect(try json(batch).arrayValue?.map { $0["id"] } == [2])
            let onlyNotifications = await post(endpoint, #"[{"jsonrpc":"2.0","method":"notifications/initialized"}]"#, session: id)
            #expect(onlyNotifications.status == 202)
        }
    }
}
