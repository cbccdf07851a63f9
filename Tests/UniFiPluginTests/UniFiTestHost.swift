import CapHostCore
import CapHostTestSupport
import Foundation

/// A real host (``TestHost``) with the built `libUniFiPlugin.so` loaded under the stem `unifi`
/// with a config; breakers and auto-swap off so deliberate failures never exclude the provider.
final class UniFiTestHost: @unchecked Sendable {
    static let capability = CapabilityID(parsing: "adapter:router:unifi")!

    let testHost: TestHost
    var host: CapabilityHost { testHost.host }

    private init(testHost: TestHost) { self.testHost = testHost }

    /// A location on `peer` with its test account (or API key) and the certificate pinned;
    /// `extra` replaces or adds keys.
    static func location(_ name: String, _ peer: UniFiControllerPeer, site: String = "default",
                         _ extra: [String: Any] = [:]) throws -> [String: Any] {
        var location: [String: Any] = ["name": name, "url": peer.baseURL, "site": site,
                                       "tls": ["fingerprint_sha256": try UniFiControllerPeer.certificateSHA256(peer.certificate)]]
        switch peer.kind {
        case .integration: location["api_key"] = peer.apiKey
        case .classic, .unifiOS:
            location["username"] = peer.username
            location["password"] = peer.password
        }
        location.merge(extra) { $1 }
        return location
    }

    /// A plugin config with these locations and short timings; `extra` replaces or adds keys.
    static func config(_ locations: [[String: Any]], _ extra: [String: Any] = [:]) -> [String: Any] {
        var config: [String: Any] = ["locations": locations, "timeout": 3, "cache_ttl": 0, "stale_after": 300]
        config.merge(extra) { $1 }
        return config
    }

    /// Loads the plugin with `config` and runs `body`; the load must succeed.
    static func with<Result>(config: [String: Any], _ body: (UniFiTestHost) async throws -> Result) async throws -> Result {
        try await TestHost.with(configure(config)) { testHost in
            let report = try await load(into: testHost)
            guard report.state == .loaded else {
                throw FixtureError("unifi.so did not load: \(report.error.map { "\($0)" } ?? "no reason")")
            }
            return try await body(UniFiTestHost(testHost: testHost))
        }
    }

    /// Tries to load the plugin with `config` and returns why it failed (nil when it loaded).
    static func loadFailure(config: [String: Any]) async throws -> String? {
        try await TestHost.with(configure(config)) { testHost in
            let report = try await load(into: testHost)
            return report.state == .loaded ? nil : (report.error.map { "\($0)" } ?? "no reason")
        }
    }

    private static func configure(_ config: [String: Any]) throws -> (inout HostConfiguration) -> Void {
        let text = String(decoding: try JSONSerialization.data(withJSONObject: config, options: [.sortedKeys]), as: UTF8.self)
        return { configuration in
            configuration.invocation.breakerThreshold = 1_000
            configuration.autoSwap.enabled = false
            configuration.probe.timeout = .seconds(20)
            configuration.scoring.healthTimeout = .seconds(20)
            configuration.pluginConfigs["unifi"] = text
        }
    }

    private static func load(into testHost: TestHost) async throws -> PluginReport {
        let built = try FixturePlugins.builtPlugin("UniFiPlugin")
        let file = try FixturePlugins.install(built, into: testHost.pluginsDirectory, as: "unifi.so")
        return await testHost.host.load(file: file)
    }

    /// Calls a method and returns its JSON answer.
    func call(_ method: String, _ payload: [String: Any] = [:], timeout: Duration = .seconds(30)) async throws -> [String: Any] {
        try await host.callJSON(Self.capability, method, payload, timeout: timeout)
    }

    /// The error a call fails with (nil when it succeeds).
    func failure(_ method: String, payload: [UInt8], timeout: Duration = .seconds(30)) async -> InvocationError? {
        await host.callFailure(Self.capability, method, payload: payload, timeout: timeout)
    }

    func failure(_ method: String, _ payload: [String: Any], timeout: Duration = .seconds(30)) async -> InvocationError? {
        await failure(method, payload: Array(try! JSONSerialization.data(withJSONObject: payload)), timeout: timeout)
    }

    /// `network_status`'s record of `location`.
    func status(of location: String) async throws -> [String: Any] {
        let answer = try await call("network_status", ["locations": [location]])
        guard let record = (answer["locations"] as? [[String: Any]])?.first else {
            throw FixtureError("network_status has no record of \(location): \(answer)")
        }
        return record
    }
}

/// `record[key]` as a Double (JSON numbers come back as NSNumber).
func number(_ record: [String: Any]?, _ key: String) -> Double? {
    (record?[key] as? NSNumber)?.doubleValue
}
