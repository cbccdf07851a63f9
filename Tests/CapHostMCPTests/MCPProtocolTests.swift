import CapHostCore
import CapHostMCP
import CapHostTestSupport
import Testing

/// JSON-RPC and MCP lifecycle edge cases, against a real host with a real
/// fixture plugin.
@Suite(.serialized) struct MCPProtocolTests {
    func withServer(_ body: (MCPServer, TestHost) async throws -> Void) async throws {
        try await TestHost.with { testHost in
            try await testHost.load("noop.c", as: "alpha.so", defines: MCPFixtures.noop(provider: "alpha"))
            try await withStopping(MCPServer(host: testHost.host, logger: MCPFixtures.logger), stop: { $0.stop() }) { server in
                try await body(server, testHost)
            }
        }
    }

    @Test func negotiatesTheProtocolRevision() async throws {
        try await withServer { server, _ in
            for (asked, answered) in [("2025-06-18", "2025-06-18"), ("2025-03-26", "2025-03-26"), ("2025-11-25", "2025-11-25"),
                                      ("2024-11-05", "2025-11-25"), ("1999-01-01", "2025-11-25")] {
                var client = MCPTestClient(server.openSession())
                let result = try await client.initialize(version: asked)
                #expect(result["protocolVersion"] == .string(answered), "asked \(asked)")
                #expect(result["capabilities"] == ["tools": ["listChanged": true]])
                #expect(result["serverInfo"]?["name"] == "caphost")
                #expect(client.session.protocolVersion == answered)
                #expect(client.session.isInitialized)
            }
        }
    }

    @Test func initializeOnceWithAVersion() async throws {
        try await withServer { server, _ in
            var client = MCPTestClient(server.openSession())
            let missing = try await client.request("initialize", ["capabilities": [:]])
            #expect(missing["error"]?["code"] == -32602)
            #expect(missing["error"]?["message"]?.stringValue?.contains("\"protocolVersion\" (string) is required") == true)
            try await client.initialize()
            let again = try await client.request("initialize", ["protocolVersion": "2025-06-18"])
            #expect(again["error"]?["code"] == -32600)
            #expect(again["error"]?["message"]?.stringValue?.contains("already initialized (protocol 2025-06-18)") == true)
        }
    }

    @Test func onlyPingBeforeInitialize() async throws {
        try await withServer { server, _ in
            var client = MCPTestClient(server.openSession())
            #expect(try await client.request("ping")["result"] == [:])
            let list = try await client.request("tools/list")
            #expect(list["error"]?["code"] == -32600)
            #expect(list["error"]?["message"]?.stringValue?.contains("tools/list before initialize") == true)
            let discover = try await client.request("server/discover")
            #expect(discover["error"]?["code"] == -32601, "unknown methods are -32601 at any time")
            // notifications/initialized before initialize changes nothing.
            #expect(try await client.send(#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#) == nil)
            #expect(!client.session.isInitialized)
        }
    }

    @Test func jsonRPCErrors() async throws {
        try await withServer { server, _ in
            var client = MCPTestClient(server.openSession())
            try await client.initialize()
            let parse = try #require(try await client.send("{\"jsonrpc\": \"2.0\", \"id\": 1, \"method\": }"))
            #expect(parse["id"] == .null)
            #expect(parse["error"]?["code"] == -32700)
            #expect(parse["error"]?["data"]?["column"] == 39)
            #expect(parse["error"]?["message"]?.stringValue?.hasPrefix("Parse error: invalid JSON at line 1, column 39") == true)

            let version = try #require(try await client.send(#"{"jsonrpc":"1.0","id":"a","method":"ping"}"#))
            #expect(version["id"] == "a")
            #expect(version["error"]?["code"] == -32600)
            #expect(version["error"]?["message"]?.stringValue?.contains("\"jsonrpc\" must be \"2.0\"") == true)

            let method = try #require(try await client.send(#"{"jsonrpc":"2.0","id":7,"method":42}"#))
            #expect(method["id"] == 7)
            #expect(method["error"]?["code"] == -32600)

            let badID = try #require(try await client.send(#"{"jsonrpc":"2.0","id":{"x":1},"method":"ping"}"#))
            #expect(badID["id"] == .null)
            #expect(badID["error"]?["code"] == -32600)

            let nullID = try #require(try await client.send(#"{"jsonrpc":"2.0","id":null,"method":"ping"}"#))
            #expect(nullID["error"]?["code"] == -32600)

            let params = try #require(try await client.send(#"{"jsonrpc":"2.0","id":8,"method":"tools/list","params":[1]}"#))
            #expect(params["error"]?["code"] == -32602)

            let notObject = try #require(try await client.send("[1]"))
            #expect(notObject["error"]?["code"] == -32600, "a batch on 2025-06-18 is refused as a whole")

            let scalar = try #require(try await client.send("3"))
            #expect(scalar["error"]?["code"] == -32600)
            #expect(scalar["error"]?["message"]?.stringValue?.contains("expected a JSON-RPC message object, found number 3") == true)

            #expect(try await client.send(#"{"jsonrpc":"2.0","id":99,"result":{}}"#) == nil, "responses from the client need no reply")
            #expect(try await client.send(#"{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":1}}"#) == nil)

            let unknown = try await client.request("resources/list")
            #expect(unknown["error"]?["code"] == -32601)

            let cursor = try await client.request("tools/list", ["cursor": "abc"])
            #expect(cursor["error"]?["code"] == -32602)
        }
    }

    @Test func batchesOnlyOn20250326() async throws {
        try await withServer { server, _ in
            var modern = MCPTestClient(server.openSession())
            let early = try #require(try await modern.send(#"[{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-03-26"}}]"#))
            #expect(early["error"]?["message"]?.stringValue?.contains("before initialize") == true)
            try await modern.initialize(version: "2025-06-18")
            let refused = try #require(try await modern.send(#"[{"jsonrpc":"2.0","id":1,"method":"ping"}]"#))
            #expect(refused["error"]?["code"] == -32600)
            #expect(refused["error"]?["message"]?.stringValue?.contains("on protocol 2025-06-18") == true)

            var legacy = MCPTestClient(server.openSession())
            try await legacy.initialize(version: "2025-03-26")
            let batch = try #require(try await legacy.send("""
                [{"jsonrpc":"2.0","id":"p","method":"ping"},
                 {"jsonrpc":"2.0","method":"notifications/initialized"},
                 {"jsonrpc":"2.0","id":"c","method":"tools/call","params":{"name":"adapter__bench__echo","arguments":{"text":"hi"}}},
                 {"jsonrpc":"2.0","id":"i","method":"initialize","params":{"protocolVersion":"2025-03-26"}},
                 {"jsonrpc":"2.0","id":"x","method":"nope"}]
                """))
            let replies = try #require(batch.arrayValue)
            #expect(replies.map { $0["id"] } == ["p", "c", "i", "x"], "one reply per request, in order; none for the notification")
            #expect(replies[1]["result"]?["structuredContent"] == ["text": "hi"])
            #expect(replies[2]["error"]?["message"]?.stringValue?.contains("must not be part of a JSON-RPC batch") == true)
            #expect(replies[3]["error"]?["code"] == -32601)
            #expect(try await legacy.send("[]")?["error"]?["message"]?.stringValue?.contains("empty") == true)
            #expect(try await legacy.send(#"[{"jsonrpc":"2.0","method":"notifications/initialized"}]"#) == nil)
        }
    }

    @Test func mutatedMessagesAlwaysGetAWellFormedAnswerOrNone() async throws {
        try await withServer { server, _ in
            var client = MCPTestClient(server.openSession())
            try await client.initialize()
            let seeds = [
                #"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"adapter__bench__echo","arguments":{"text":"x","count":2}}}"#,
                #"{"jsonrpc":"2.0","id":"a","method":"tools/list","params":{}}"#,
                #"{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"oneiric_get_adapter","arguments":{"adapter_id":"adapter:bench:alpha"}}}"#,
                #"{"jsonrpc":"2.0","method":"notifications/initialized"}"#,
            ].map { Array($0.utf8) }
            var generator = SeededGenerator(seed: 0xC0FFEE)
            let bytes: [UInt8] = Array(#"{}[]":,0123456789-.eEtrufalsn\ "#.utf8) + [0x00, 0xFF, 0xC3]
            var answered = 0
            for _ in 0..<3_000 {
                var message = seeds.randomElement(using: &generator)!
                for _ in 0..<Int.random(in: 1...4, using: &generator) {
                    let index = Int.random(in: 0..<message.count, using: &generator)
                    switch Int.random(in: 0..<3, using: &generator) {
                    case 0: message[index] = bytes.randomElement(using: &generator)!
                    case 1: message.remove(at: index)
                    default: message.insert(bytes.randomElement(using: &generator)!, at: index)
                    }
                    if message.isEmpty { message = [0x7B] }
                }
                guard let reply = await client.session.receive(message) else { continue }
                let document = try JSONValue(parsing: reply)
                #expect(document["jsonrpc"] == "2.0")
                #expect(document["result"] != nil || document["error"]?["code"]?.numberValue != nil, "\(document.serializedText)")
                answered += 1
            }
            #expect(answered > 1_000)
        }
    }
}
