import CapHostTestSupport
import Foundation
import Testing

/// Bytes an attacker controls, sent to a real `caphost serve`: the host
/// answers with a specific refusal, stays small and keeps serving, and still
/// shuts down cleanly afterwards.
@Suite(.serialized) struct HostileInputTests {
    @Test func aYAMLAliasBombIsRefusedBeforeItExpands() async throws {
        let host = try ServedHost(plugins: ["libDiagramPlugin.so": try FixturePlugins.builtPlugin("DiagramPlugin")])
        try await host.start()
        // 9^9 strings once expanded, 560 bytes written (it used to take the host past 5 GB).
        let levels = "abcdefghi".map(String.init)
        var yaml = "name: bomb\na: &a [" + Array(repeating: "\"lol\"", count: 9).joined(separator: ",") + "]\n"
        for (previous, level) in zip(levels, levels.dropFirst()) {
            yaml += "\(level): &\(level) [" + Array(repeating: "*\(previous)", count: 9).joined(separator: ",") + "]\n"
        }
        yaml += "steps: *i\n"
        let body = String(decoding: try JSONSerialization.data(withJSONObject: ["yaml": yaml]), as: UTF8.self)
        let response = try host.authorized("POST", "/v1/invoke/adapter/diagram/mermaid/render_workflow",
                                           headers: ["Content-Type: application/json", "Caphost-Timeout: 10"], body: body)
        #expect(response.status == 400, "\(response.status) \(response.body.prefix(400))")
        #expect(response.body.contains("too many nodes once aliases are expanded"), "\(response.body.prefix(400))")
        #expect(response.body.contains("line 7, column"), "the refusal says where: \(response.body.prefix(400))")
        let rss = try Self.residentKiB(of: host.serve.process.processIdentifier)
        #expect(rss < 512 * 1024, "the host grew to \(rss / 1024) MiB")
        // Still serving, and a SIGTERM still ends it by itself.
        let ok = try host.authorized("POST", "/v1/invoke/adapter/diagram/mermaid/render", headers: ["Content-Type: application/json"],
                                     body: #"{"graph":{"nodes":[{"id":"a"},{"id":"b"}],"edges":[{"from":"a","to":"b"}]}}"#)
        #expect(ok.status == 200, "\(ok.body.prefix(300))")
        let status = await host.serve.stop(timeout: .seconds(60))
        #expect(host.serve.process.terminationReason == .exit && status == 0, "\(host.serve.log().suffix(1500))")
        await host.stop()
    }

    static func residentKiB(of pid: Int32) throws -> Int {
        let status = try String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)
        let line = status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") } ?? ""
        return Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0
    }
}
