import CapHostTestSupport
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

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

    @Test func aCraftedELFHeaderDroppedIntoPluginsDIsRefusedAndTheHostServesOn() async throws {
        let host = try ServedHost(plugins: ["noop.so": try FixturePlugins.build("noop.c")])
        try await host.start()
        // 64 bytes: a valid x86-64 shared-object header whose program headers start 16 bytes
        // before the end of the address space (the offset arithmetic used to trap the host).
        var header = [UInt8](repeating: 0, count: 64)
        header[0..<4] = [0x7F, 0x45, 0x4C, 0x46]          // \x7fELF
        header[4] = 2; header[5] = 1; header[6] = 1          // 64-bit, little-endian, version 1
        header[16] = 3; header[18] = 62; header[20] = 1      // ET_DYN, EM_X86_64, EV_CURRENT
        for index in 0..<8 { header[32 + index] = index == 0 ? 0xF0 : 0xFF }   // e_phoff = 2^64 - 16
        header[52] = 64; header[54] = 56; header[56] = 1     // e_ehsize, e_phentsize, e_phnum
        let staged = host.root + "/crafted.so"
        try Data(header).write(to: URL(fileURLWithPath: staged))
        chmod(staged, 0o755)
        let target = host.pluginsDirectory + "/crafted.so"
        #expect(rename(staged, target) == 0)
        var report = ""
        try await eventually("crafted.so to be reported", timeout: .seconds(20)) {
            report = try host.authorized("GET", "/v1/plugins").body
            return report.contains("crafted.so") && report.contains(#""check":"elf""#)
        }
        #expect(report.contains(#""state":"failed""#), "crafted.so was not reported as failed: \(report.prefix(600))")
        #expect(host.serve.process.isRunning, "the host died: \(host.serve.log().suffix(1500))")
        let echo = try host.authorized("POST", "/v1/invoke/adapter/bench/echo", headers: ["Content-Type: application/json"], body: #"{"text":"x"}"#)
        #expect(echo.status == 200, "\(echo.body)")
        await host.stop()
    }

    static func residentKiB(of pid: Int32) throws -> Int {
        let status = try String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)
        let line = status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") } ?? ""
        return Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0
    }
}
