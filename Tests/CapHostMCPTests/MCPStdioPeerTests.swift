import CapHostCore
import CapHostTestSupport
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// `caphost mcp` driven by the official Python MCP client over stdio, with
/// real C plugins in a temporary plugins.d.
@Suite(.serialized) struct MCPStdioPeerTests {
    @Test func pythonClientOverStdio() async throws {
        let caphost = FixturePlugins.buildProductsDirectory + "/caphost"
        try #require(FileManager.default.isExecutableFile(atPath: caphost),
                     "\(caphost) is missing: build the caphost product (swift build --build-tests builds it)")
        let rootFolder = try TemporaryFolder("mcp-stdio")
        defer { rootFolder.remove() }
        let root = rootFolder.path
        try FileManager.default.createDirectory(atPath: root + "/plugins.d", withIntermediateDirectories: true)
        chmod(root, 0o700)
        chmod(root + "/plugins.d", 0o755)
        let plugins = root + "/plugins.d"
        try FixturePlugins.install(try FixturePlugins.build("noop.c", defines: MCPFixtures.noop(provider: "alpha", priority: 10)),
                                   into: plugins, as: "alpha.so")
        try FixturePlugins.install(try FixturePlugins.build("noop.c", defines: MCPFixtures.noop(provider: "beta", priority: 0)),
                                   into: plugins, as: "beta.so")
        let dropIn = try FixturePlugins.build("noop.c", defines: MCPFixtures.noop(provider: "outbox", category: "notifier"))

        let output = try await PythonPeer.run("mcp_stdio_client.py", [
            "--caphost", caphost, "--plugins-dir", plugins, "--state-dir", root + "/state",
            "--drop-in", dropIn, "--drop-in-name", "outbox.so",
        ])
        try #require(output.status == 0, "the Python MCP client failed (status \(output.status)):\n\(output.stderr)")
        let report = try JSONValue(parsing: output.stdout)

        // The client probed server/discover (-32601 here), then negotiated through initialize.
        #expect(report["protocol_version"] == "2025-11-25")
        #expect(report["server_name"] == "caphost")
        #expect(report["tools_capability"] == true)

        let toolsValues = report["tools"]?.arrayValue?.compactMap(\.stringValue)
        let tools = try #require(toolsValues)
        for expected in ["adapter__bench__echo", "adapter__bench__noop", "adapter__bench__version", "adapter__bench__sleep",
                         "caphost_list_plugins", "caphost_swap", "caphost_explain", "oneiric_list_adapters",
                         "oneiric_resolve_adapter", "oneiric_check_health", "oneiric_get_adapter"] {
            #expect(tools.contains(expected), "tools/list lacks \(expected): \(tools)")
        }
        #expect(report["echo_schema"] == (try JSONValue(parsing: MCPFixtures.echoSchema)))
        #expect(report["echo_description"]?.stringValue?.contains("Served now by adapter:bench:alpha") == true)

        #expect(report["echo"]?["is_error"] == false)
        #expect(report["echo"]?["structured"] == ["text": "hello from python"])
        #expect(try JSONValue(parsing: report["echo"]?["text"]?.stringValue ?? "") == ["text": "hello from python"])

        #expect(report["violation"]?["is_error"] == true)
        #expect(report["violation"]?["structured"]?["path"] == "/text")
        #expect(report["violation"]?["text"]?.stringValue?.hasSuffix("/text: expected string, found number 3") == true)

        #expect(report["adapters"]?["structured"]?["success"] == true)
        #expect(report["adapters"]?["structured"]?["count"] == 2)
        let ids = report["adapters"]?["structured"]?["adapters"]?.arrayValue?.compactMap { $0["adapter_id"]?.stringValue }
        #expect(ids == ["adapter:bench:alpha", "adapter:bench:beta"])

        #expect(report["swap"]?["is_error"] == false)
        #expect(report["swap"]?["structured"]?["to"] == "adapter:bench:beta")
        #expect(report["after_swap"]?["structured"]?["provider"] == "beta")

        let afterValues = report["tools_after_drop"]?.arrayValue?.compactMap(\.stringValue)
        let after = try #require(afterValues)
        #expect(after.contains("adapter__notifier__echo"))
        #expect(report["dropped_echo"]?["structured"] == ["text": "dropped in"])
        let notifications = report["notifications"]?.arrayValue?.compactMap(\.stringValue) ?? []
        #expect(notifications.filter { $0 == "notifications/tools/list_changed" }.count >= 2, "\(notifications)")
        #expect(report["pinged"] == true)
        if let latency = report["list_changed_after_drop_ms"]?.numberValue?.double {
            print("caphost mcp: list_changed reached the Python client \(latency) ms after the drop-in")
        }
        #expect(output.stderr.contains("caphost mcp: 2 plugin(s) loaded"), "logs go to stderr")
    }
}
