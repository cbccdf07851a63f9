import CapHostTestSupport
import Foundation
import Testing

/// `kill -9` of `caphost serve` while an in-process plugin's code runs: the next start names
/// that plugin (an event, `caphost plugins`) and loads it in its own process — never silently
/// in-process again — until an operator resumes it.
@Suite struct HostCrashAttributionTests {
    @Test func aHostKilledDuringAnInProcessCallComesBackWithThePluginAttributedAndIsolated() async throws {
        let rootFolder = try TemporaryFolder("crash-attribution")
        defer { rootFolder.remove() }
        let root = rootFolder.path
        let plugins = root + "/plugins.d", state = root + "/state"
        try FileManager.default.createDirectory(atPath: plugins, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
        try FixturePlugins.install(try FixturePlugins.build("isolation_probe.c"), into: plugins, as: "libvictim.so")
        try FixturePlugins.install(try FixturePlugins.build("noop.c"), into: plugins, as: "libbystander.so")

        // First process: libvictim's `hang` is running in the host when SIGKILL lands.
        let first = try ServeProcess(pluginsDirectory: plugins, stateDirectory: state)
        try await first.start()
        let before = try Self.plugin("libvictim.so", in: await first.request(.GET, "/v1/plugins").body)
        #expect((before["isolation"] as? [String: Any])?["mode"] as? String == "in-process")
        let call = Task { try await first.request(.POST, "/v1/invoke/adapter/probe/probe/hang", body: "{}") }
        try await Task.sleep(for: .milliseconds(500))
        first.kill()
        _ = try? await call.value

        // Second process on the same state: libvictim is named and runs isolated.
        let second = try ServeProcess(pluginsDirectory: plugins, stateDirectory: state)
        try await second.start()
        defer { second.kill() }
        let after = try Self.plugin("libvictim.so", in: await second.request(.GET, "/v1/plugins").body)
        let isolation = try #require(after["isolation"] as? [String: Any], "\(after)")
        #expect(isolation["mode"] as? String == "process", "\(isolation)")
        #expect((isolation["reason"] as? String)?.contains("the host died (crash or kill) while 1 thread(s) ran isolation-probe 1.0.0's code (libvictim)") == true,
                "\(isolation)")
        #expect((isolation["process"] as? [String: Any])?["state"] as? String == "running")
        let events = try Self.object(await second.request(.GET, "/v1/events?kind=isolation_changed").body)["events"] as? [[String: Any]] ?? []
        #expect(events.contains { ($0["subject"] as? String) == "libvictim" && ($0["reason"] as? String)?.contains("it loads in its own process from now on") == true },
                "\(events)")
        // Its calls now come from another process; the bystander was not touched.
        let pid = String(decoding: try await second.request(.POST, "/v1/invoke/adapter/probe/probe/pid", body: "{}").body, as: UTF8.self)
        #expect(pid != "\(second.process.processIdentifier)" && Int(pid) != nil, "\(pid)")
        let bystander = try Self.plugin("libbystander.so", in: await second.request(.GET, "/v1/plugins").body)
        #expect((bystander["isolation"] as? [String: Any])?["mode"] as? String == "in-process")

        // The operator resumes it: it loads in-process again, as configured.
        let resumed = try await second.request(.POST, "/v1/plugins/libvictim/resume")
        #expect(resumed.status == 200, "\(String(decoding: resumed.body, as: UTF8.self))")
        let back = try Self.plugin("libvictim.so", in: await second.request(.GET, "/v1/plugins").body)
        #expect((back["isolation"] as? [String: Any])?["mode"] as? String == "in-process", "\(back)")
        let samePid = String(decoding: try await second.request(.POST, "/v1/invoke/adapter/probe/probe/pid", body: "{}").body, as: UTF8.self)
        #expect(samePid == "\(second.process.processIdentifier)")
        // A clean stop is not a crash: nothing is attributed at the next start.
        #expect(await second.stop() == 0)
        let third = try ServeProcess(pluginsDirectory: plugins, stateDirectory: state)
        try await third.start()
        defer { third.kill() }
        let clean = try Self.plugin("libvictim.so", in: await third.request(.GET, "/v1/plugins").body)
        #expect((clean["isolation"] as? [String: Any])?["mode"] as? String == "in-process", "\(clean)")
    }

    static func object(_ bytes: [UInt8]) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any] ?? [:]
    }

    static func plugin(_ name: String, in bytes: [UInt8]) throws -> [String: Any] {
        let plugins = try object(bytes)["plugins"] as? [[String: Any]] ?? []
        return try #require(plugins.first { ($0["file"] as? String)?.hasSuffix("/" + name) == true }, "\(plugins)")
    }
}
