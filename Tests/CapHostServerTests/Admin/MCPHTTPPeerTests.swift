import CapHostCore
import CapHostMCP
import CapHostTestSupport
import Foundation
import Testing

/// `/mcp` on the real admin server (Hummingbird, bearer token) driven by the
/// official Python MCP client over streamable HTTP, once answering JSON and
/// once answering Server-Sent Events.
@Suite(.serialized) struct MCPHTTPPeerTests {
    static let echoSchema = #"{"type":"object","properties":{"text":{"type":"string","minLength":1},"count":{"type":"integer","minimum":0}},"required":["text"],"additionalProperties":false}"#

    static func noop(provider: String, category: String = "bench", priority: Int = 0) -> [String: String] {
        var defines = providerDefines(name: provider, provider: provider, category: category, priority: priority)
        defines["ECHO_SCHEMA"] = "\"" + echoSchema.replacingOccurrences(of: "\"", with: "\\\"") + "\""
        return defines
    }

    @Test(arguments: [false, true])
    func pythonClientOverStreamableHTTP(preferEventStream: Bool) async throws {
        var options = MCPHTTPEndpoint.Options()
        options.preferEventStream = preferEventStream
        let dropIn = try FixturePlugins.build("noop.c", defines: Self.noop(provider: "outbox", category: "notifier"))
        let (output, sessionsAtEnd) = try await AdminAPIHarness.with(configure: { $0.watcher.enabled = true }, mcp: options, prepare: { testHost in
            try testHost.install("noop.c", as: "alpha.so", defines: Self.noop(provider: "alpha", priority: 10))
            try testHost.install("noop.c", as: "beta.so", defines: Self.noop(provider: "beta", priority: 0))
            await testHost.host.start()
        }) { harness in
            // Without the token the endpoint answers 401 like every protected route.
            let refused = try await harness.request(.POST, "/mcp", body: "{}", authorized: false)
            #expect(refused.status == 401)
            let output = try await PythonPeer.run("mcp_http_client.py", [
                "--url", harness.baseURL + "/mcp", "--token", harness.token.value,
                "--plugins-dir", harness.testHost.pluginsDirectory, "--drop-in", dropIn, "--drop-in-name", "outbox.so",
            ])
            return (output, harness.mcpEndpoint?.sessionCount)
        }

        try #require(output.status == 0, "the Python MCP client failed (status \(output.status)):\n\(output.stderr)")
        let report = try JSONValue(parsing: output.stdout)
        #expect(report["protocol_version"] == "2025-11-25")
        #expect(report["server_name"] == "caphost")
        let toolNames = report["tools"]?.arrayValue?.compactMap(\.stringValue)
        let tools = try #require(toolNames)
        #expect(tools.contains("adapter__bench__echo") && tools.contains("caphost_swap") && tools.contains("oneiric_get_adapter"))
        #expect(report["echo"]?["structured"] == ["text": "hello over http"])
        #expect(report["violation"]?["is_error"] == true)
        #expect(report["violation"]?["structured"]?["path"] == "/text")
        #expect(report["adapters"]?["structured"]?["count"] == 2)
        #expect(report["swap"]?["structured"]?["to"] == "adapter:bench:beta")
        #expect(report["after_swap"]?["structured"]?["provider"] == "beta")
        #expect(report["tools_after_drop"]?.arrayValue?.contains("adapter__notifier__echo") == true)
        let notifications = report["notifications"]?.arrayValue?.compactMap(\.stringValue) ?? []
        #expect(notifications.filter { $0 == "notifications/tools/list_changed" }.count >= 2, "\(notifications)")
        #expect(report["pinged"] == true)
        #expect(sessionsAtEnd == 0, "the client's DELETE ended its session")
        print("MCP over HTTP (\(preferEventStream ? "SSE" : "JSON") replies), ms since start: \(report["timings_ms"]?.serializedText ?? "")")
    }
}
