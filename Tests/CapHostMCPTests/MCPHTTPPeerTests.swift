import CapHostCore
import CapHostMCP
import CapHostTestSupport
import Foundation
import Testing

/// `MCPHTTPEndpoint` driven by the official Python MCP client over real HTTP
/// (a minimal loopback HTTP/1.1 server stands in for the admin server), once
/// answering JSON and once answering Server-Sent Events.
@Suite(.serialized) struct MCPHTTPPeerTests {
    @Test(arguments: [false, true])
    func pythonClientOverStreamableHTTP(preferEventStream: Bool) async throws {
        let testHost = try TestHost { $0.watcher.enabled = true }
        try testHost.install("noop.c", as: "alpha.so", defines: MCPFixtures.noop(provider: "alpha", priority: 10))
        try testHost.install("noop.c", as: "beta.so", defines: MCPFixtures.noop(provider: "beta", priority: 0))
        await testHost.host.start()
        let server = MCPServer(host: testHost.host, logger: MCPFixtures.logger)
        server.start()
        var options = MCPHTTPEndpoint.Options()
        options.preferEventStream = preferEventStream
        let endpoint = MCPHTTPEndpoint(server: server, options: options)
        let http = try LoopbackHTTPServer(endpoint: endpoint)
        let dropIn = try FixturePlugins.build("noop.c", defines: MCPFixtures.noop(provider: "outbox", category: "notifier"))
        let output: PythonPeer.Output
        do {
            output = try await PythonPeer.run("mcp_http_client.py", [
                "--url", http.url, "--plugins-dir", testHost.pluginsDirectory, "--drop-in", dropIn, "--drop-in-name", "outbox.so",
            ])
        } catch {
            http.stop()
            endpoint.closeAllSessions()
            server.stop()
            await testHost.stop()
            throw error
        }
        let sessionsAtEnd = endpoint.sessionCount
        http.stop()
        endpoint.closeAllSessions()
        server.stop()
        await testHost.stop()

        try #require(output.status == 0, "the Python MCP client failed (status \(output.status)):\n\(output.stderr)")
        let report = try JSONValue(parsing: output.stdout)
        #expect(report["protocol_version"] == "2025-11-25")
        #expect(report["server_name"] == "caphost")
        let toolsValues = report["tools"]?.arrayValue?.compactMap(\.stringValue)
        let tools = try #require(toolsValues)
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
