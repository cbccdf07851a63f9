import CapHostCore
import CapHostMCP
import CapHostTestSupport
import Foundation
import Testing

/// Generated capability tools, host tools and the Oneiric tools, through
/// `tools/list` and `tools/call` on a real host with two real providers.
@Suite(.serialized) struct MCPToolTests {
    /// A host with adapter:bench served by alpha (priority 10) and beta (priority 0).
    func withClient(_ body: (inout MCPTestClient, MCPServer, TestHost) async throws -> Void) async throws {
        try await TestHost.with { testHost in
            try await testHost.load("noop.c", as: "alpha.so", defines: MCPFixtures.noop(provider: "alpha", priority: 10))
            try await testHost.load("noop.c", as: "beta.so", defines: MCPFixtures.noop(provider: "beta", priority: 0))
            try await withStopping(MCPServer(host: testHost.host, logger: MCPFixtures.logger), stop: { $0.stop() }) { server in
                var client = MCPTestClient(server.openSession())
                try await client.initialize()
                try await body(&client, server, testHost)
            }
        }
    }

    static let hostTools = ["caphost_list_plugins", "caphost_list_capabilities", "caphost_explain", "caphost_resolve",
                            "caphost_swap", "caphost_pin", "caphost_unpin", "caphost_drain", "caphost_resume", "caphost_run_workflow",
                            "oneiric_list_adapters", "oneiric_resolve_adapter", "oneiric_check_health", "oneiric_get_adapter"]

    @Test func listsGeneratedHostAndOneiricTools() async throws {
        try await withClient { client, _, _ in
            let tools = try await client.tools()
            #expect(Set(tools.keys) == Set(["adapter__bench__noop", "adapter__bench__echo", "adapter__bench__version",
                                            "adapter__bench__sleep"] + Self.hostTools))
            let namePattern = try NSRegularExpression(pattern: "^[a-zA-Z0-9_-]{1,64}$")
            for (name, tool) in tools {
                #expect(namePattern.firstMatch(in: name, range: NSRange(name.startIndex..., in: name)) != nil, "\(name)")
                #expect(tool["inputSchema"]?["type"] == "object", "\(name) has an object schema at the root")
                #expect(tool["description"]?.stringValue?.isEmpty == false)
            }
            let echo = try #require(tools["adapter__bench__echo"])
            #expect(echo["inputSchema"] == (try JSONValue(parsing: MCPFixtures.echoSchema)), "the method's schema, as declared")
            let description = try #require(echo["description"]?.stringValue)
            #expect(description.hasPrefix("Returns the payload unchanged."))
            #expect(description.contains("Capability adapter:bench (Benchmark and routing fixture.), method echo."))
            #expect(description.contains("Served now by adapter:bench:alpha (plugin alpha 1.0.0)."))
            #expect(description.contains("Providers: alpha, beta."))
            // A method whose payload is not an object takes it as "payload".
            let sleep = try #require(tools["adapter__bench__sleep"]?["inputSchema"])
            #expect(sleep["required"] == ["payload"])
            #expect(sleep["properties"]?["payload"] == ["type": "integer", "minimum": 0, "maximum": 600000])
            #expect(tools["adapter__bench__noop"]?["inputSchema"] == ["type": "object"])
        }
    }

    /// `caphost_run_workflow` runs a workflow's text on the host and answers the report;
    /// a bad file answers every problem with its place, a failed step `isError` with the report.
    @Test func runsAWorkflowAndAnswersItsReport() async throws {
        try await withClient { client, _, _ in
            let document = """
            name: mcp
            steps:
              - {name: list, tool: oneiric_list_adapters, params: {domain: adapter}}
              - {name: echo, tool: "adapter:bench/echo", params: {text: "${input.who} saw ${steps.list.count} adapters"}}
            """
            let run = try await client.call("caphost_run_workflow", ["document": .string(document), "inputs": ["who": "model"]])
            #expect(!run.isToolError, "\(run)")
            let report = try #require(run["structuredContent"])
            #expect(report["succeeded"] == true)
            #expect(report["steps"]?.arrayValue?.last?["output"] == ["text": "model saw 2 adapters"])
            #expect(report["steps"]?.arrayValue?.last?["provider"] == "adapter:bench:alpha")

            let dry = try await client.call("caphost_run_workflow", ["document": .string(document), "dry_run": true, "inputs": ["who": "x"]])
            #expect(dry["structuredContent"]?["ready"] == true, "\(dry)")

            let bad = try await client.call("caphost_run_workflow", ["document": "name: bad\nsteps:\n  - {name: a, tool: \"adapter:bench/echo\", params: {x: \"${steps.b}\"}}\n"])
            #expect(bad.isToolError)
            #expect(bad["structuredContent"]?["code"] == "invalid_workflow")
            #expect(bad.toolText?.contains("workflow.yaml:3:") == true && bad.toolText?.contains("workflow 'bad' has no step 'b'") == true, "\(bad.toolText ?? "")")

            let failing = try await client.call("caphost_run_workflow", ["document": "name: f\nsteps:\n  - {name: a, tool: \"adapter:bench/sleep\", params: {}}\n"])
            #expect(failing.isToolError)
            #expect(failing["structuredContent"]?["succeeded"] == false)
        }
    }

    @Test func callsTheSlotsActiveProvider() async throws {
        try await withClient { client, _, _ in
            let echo = try await client.call("adapter__bench__echo", ["text": "héllo", "count": 2])
            #expect(!echo.isToolError)
            #expect(try JSONValue(parsing: echo.toolText ?? "") == ["text": "héllo", "count": 2], "the plugin's response as text")
            #expect(echo["structuredContent"] == ["text": "héllo", "count": 2])
            #expect(echo["_meta"]?["caphost/provider"] == "adapter:bench:alpha")
            let version = try await client.call("adapter__bench__version")
            #expect(version["structuredContent"]?["provider"] == "alpha")
            let noop = try await client.call("adapter__bench__noop")
            #expect(noop.toolText == "")
            #expect(noop["structuredContent"] == nil)
            let slept = try await client.call("adapter__bench__sleep", ["payload": 1])
            #expect(!slept.isToolError, "the wrapped payload reaches the plugin as 1")
        }
    }

    @Test func schemaViolationsNameThePath() async throws {
        try await withClient { client, _, _ in
            let wrongType = try await client.call("adapter__bench__echo", ["text": 3])
            #expect(wrongType.isToolError)
            #expect(wrongType["structuredContent"]?["code"] == "schema_violation")
            #expect(wrongType["structuredContent"]?["path"] == "/text")
            #expect(wrongType["structuredContent"]?["expected"] == "string")
            #expect(wrongType["structuredContent"]?["found"] == "number 3")
            #expect(wrongType.toolText == "schema_violation: arguments of adapter__bench__echo do not match its input schema: /text: expected string, found number 3")
            let several = try await client.call("adapter__bench__echo", ["count": -1, "extra": true])
            let messages = try #require(several["structuredContent"]?["violations"]?.arrayValue).map { $0["path"]?.stringValue ?? "" }
            #expect(messages == ["/text", "/count", "/extra"])
            let wrapped = try await client.call("adapter__bench__sleep", ["payload": -5])
            #expect(wrapped["structuredContent"]?["path"] == "/payload")
            #expect(wrapped["structuredContent"]?["expected"] == "a number >= 0")
            let missing = try await client.call("adapter__bench__sleep", [:])
            #expect(missing.toolText?.contains(#"/payload: expected required property "payload", found nothing"#) == true)
        }
    }

    @Test func protocolErrorsForUnknownToolsAndBadArguments() async throws {
        try await withClient { client, _, _ in
            let unknown = try await client.request("tools/call", ["name": "adapter__bench__nope", "arguments": [:]])
            #expect(unknown["error"]?["code"] == -32602)
            #expect(unknown["error"]?["message"]?.stringValue?.contains("unknown tool 'adapter__bench__nope'") == true)
            let arguments = try await client.request("tools/call", ["name": "adapter__bench__echo", "arguments": [1]])
            #expect(arguments["error"]?["code"] == -32602)
            #expect(arguments["error"]?["message"]?.stringValue?.contains("\"arguments\" must be an object, found array of 1 item") == true)
            let name = try await client.request("tools/call", ["arguments": [:]])
            #expect(name["error"]?["code"] == -32602)
        }
    }

    @Test func pluginFailuresAreToolErrors() async throws {
        try await withClient { client, _, testHost in
            // With every provider drained, the host's refusal comes back as the tool's error, not a protocol error.
            try await testHost.host.drain(CapabilityID(domain: "adapter", category: "bench", provider: "alpha"))
            try await testHost.host.drain(CapabilityID(domain: "adapter", category: "bench", provider: "beta"))
            let drained = try await client.call("adapter__bench__version")
            #expect(drained.isToolError)
            #expect(drained["structuredContent"]?["code"] == "no_eligible_provider")
            #expect(drained.toolText?.hasPrefix("no_eligible_provider: no provider can serve adapter:bench") == true)
        }
    }

    @Test func hostToolsOperateTheHost() async throws {
        try await withClient { client, _, testHost in
            let plugins = try await client.call("caphost_list_plugins")
            #expect(plugins["structuredContent"]?["plugins"]?.arrayValue?.count == 2)
            let capabilities = try await client.call("caphost_list_capabilities")
            #expect(capabilities["structuredContent"]?["capabilities"]?.arrayValue?.first?["active"] == "adapter:bench:alpha")

            let explain = try await client.call("caphost_explain", ["slot": "adapter/bench"])
            #expect(explain["structuredContent"]?["active"] == "adapter:bench:alpha")
            #expect(explain["structuredContent"]?["decidedBy"]?.stringValue?.contains("priority") == true)

            let resolve = try await client.call("caphost_resolve", ["slot": "adapter:bench"])
            #expect(resolve["structuredContent"]?["provider"] == "adapter:bench:alpha")
            let nothing = try await client.call("caphost_resolve", ["slot": "adapter:none"])
            #expect(nothing["structuredContent"]?["provider"] == .null)

            let swap = try await client.call("caphost_swap", ["slot": "adapter:bench", "provider": "beta", "reason": "test"])
            #expect(!swap.isToolError, "\(swap.serializedText)")
            #expect(swap["structuredContent"]?["to"] == "adapter:bench:beta")
            #expect(swap["structuredContent"]?["from"] == "adapter:bench:alpha")
            #expect(testHost.host.resolve(SlotKey(domain: "adapter", category: "bench"))?.provider == "beta")
            #expect(try await client.call("adapter__bench__version")["structuredContent"]?["provider"] == "beta")

            let unpin = try await client.call("caphost_unpin", ["slot": "adapter:bench"])
            #expect(unpin["structuredContent"]?["active"] == "adapter:bench:alpha")
            let pin = try await client.call("caphost_pin", ["slot": "adapter:bench", "provider": "adapter:bench:beta"])
            #expect(pin["structuredContent"]?["active"] == "adapter:bench:beta")
            #expect(pin["structuredContent"]?["override"]?["origin"] == "pin")
            _ = try await client.call("caphost_unpin", ["slot": "adapter:bench"])

            let drain = try await client.call("caphost_drain", ["id": "adapter:bench:alpha"])
            #expect(drain["structuredContent"] == ["provider": "adapter:bench:alpha", "inFlightAtStart": 0])
            #expect(testHost.host.resolve(SlotKey(domain: "adapter", category: "bench"))?.provider == "beta")
            let resume = try await client.call("caphost_resume", ["id": "adapter:bench:alpha"])
            #expect(!resume.isToolError)
            #expect(testHost.host.resolve(SlotKey(domain: "adapter", category: "bench"))?.provider == "alpha")
        }
    }

    @Test func hostToolsRefuseBadArgumentsWithReasons() async throws {
        try await withClient { client, _, _ in
            let slot = try await client.call("caphost_explain", ["slot": "nocolon"])
            #expect(slot.toolText == "invalid_argument: slot 'nocolon' is not domain:category (e.g. adapter:notifier)")
            let unknown = try await client.call("caphost_explain", ["slot": "adapter:ghost"])
            #expect(unknown["structuredContent"]?["code"] == "unknown_slot")
            #expect(unknown["structuredContent"]?["knownSlots"] == ["adapter:bench"])
            let wrongSlot = try await client.call("caphost_swap", ["slot": "adapter:bench", "provider": "adapter:other:beta"])
            #expect(wrongSlot.toolText == "invalid_argument: provider adapter:other:beta is not in slot adapter:bench")
            let missing = try await client.call("caphost_swap", ["slot": "adapter:bench", "provider": "gamma"])
            #expect(missing["structuredContent"]?["code"] == "unknown_provider")
            let schema = try await client.call("caphost_swap", ["slot": "adapter:bench"])
            #expect(schema["structuredContent"]?["code"] == "schema_violation")
            #expect(schema["structuredContent"]?["path"] == "/provider")
            let extra = try await client.call("caphost_list_plugins", ["verbose": true])
            #expect(extra["structuredContent"]?["path"] == "/verbose")
            let drain = try await client.call("caphost_drain", ["id": "adapter:bench"])
            #expect(drain["structuredContent"]?["code"] == "invalid_argument")
        }
    }

    @Test func oneiricToolsAnswerFromTheLocalRegistry() async throws {
        try await withClient { client, _, _ in
            let all = try await client.call("oneiric_list_adapters")
            let listed = try #require(all["structuredContent"])
            #expect(listed["success"] == true)
            #expect(listed["source"] == "local")
            #expect(listed["count"] == 2)
            let first = try #require(listed["adapters"]?.arrayValue?.first)
            #expect(first["adapter_id"] == "adapter:bench:alpha")
            #expect(first["project"] == "caphost")
            #expect(first["capabilities"] == ["noop", "echo", "version", "sleep"])
            #expect(first["metadata"]?["status"] == "active")
            #expect(first["factory_path"]?.stringValue?.hasSuffix("#cap_plugin_entry_v1") == true)
            #expect(try JSONValue(parsing: all.toolText ?? "") == listed, "the text is the same JSON")

            #expect(try await client.call("oneiric_list_adapters", ["category": "nothing"])["structuredContent"]?["count"] == 0)
            #expect(try await client.call("oneiric_list_adapters", ["project": "other"])["structuredContent"]?["count"] == 0)
            #expect(try await client.call("oneiric_list_adapters", ["domain": "adapter", "category": "bench"])["structuredContent"]?["count"] == 2)

            let health = try await client.call("oneiric_check_health", ["adapter_id": "adapter:bench:beta"])
            #expect(health["structuredContent"]?["healthy"] == true)
            #expect(health["structuredContent"]?["health_status"] == "healthy")
            let healthy = try await client.call("oneiric_list_adapters", ["healthy_only": true])
            #expect(healthy["structuredContent"]?["adapters"]?.arrayValue?.compactMap { $0["adapter_id"]?.stringValue }.contains("adapter:bench:beta") == true)

            let resolved = try await client.call("oneiric_resolve_adapter", ["domain": "adapter", "category": "bench"])
            #expect(resolved["structuredContent"]?["adapter"]?["provider"] == "alpha")
            let named = try await client.call("oneiric_resolve_adapter", ["domain": "adapter", "category": "bench", "provider": "beta"])
            #expect(named["structuredContent"]?["adapter_id"] == "adapter:bench:beta")

            let byID = try await client.call("oneiric_get_adapter", ["adapter_id": "adapter:bench:beta"])
            #expect(byID["structuredContent"]?["adapter"]?["provider"] == "beta")
            let oneiricStyle = try await client.call("oneiric_get_adapter", ["domain": "adapter", "key": "bench", "provider": "alpha"])
            #expect(oneiricStyle["structuredContent"]?["adapter"]?["adapter_id"] == "adapter:bench:alpha")

            let absent = try await client.call("oneiric_get_adapter", ["adapter_id": "adapter:bench:gamma"])
            #expect(absent.isToolError)
            #expect(absent["structuredContent"]?["success"] == false)
            #expect(absent["structuredContent"]?["suggestions"] == ["adapter:bench:alpha", "adapter:bench:beta"])
            #expect(absent.toolText == "not_found: no adapter adapter:bench:gamma; did you mean adapter:bench:alpha, adapter:bench:beta?")
            let noSlot = try await client.call("oneiric_resolve_adapter", ["domain": "adapter", "category": "storage"])
            #expect(noSlot["structuredContent"]?["error"]?.stringValue?.hasPrefix("no adapter can serve adapter:storage") == true)
            let malformed = try await client.call("oneiric_check_health", ["adapter_id": "mailgun"])
            #expect(malformed["structuredContent"]?["code"] == "invalid_argument")
            let neither = try await client.call("oneiric_get_adapter", ["domain": "adapter"])
            #expect(neither["structuredContent"]?["code"] == "schema_violation")
        }
    }
}
