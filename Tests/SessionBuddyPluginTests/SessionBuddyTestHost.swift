import CapHostCore
import CapHostTestSupport
import Foundation

/// A real host (``TestHost``) with the built `libSessionBuddyPlugin.so` loaded under the stem
/// `session-buddy` with `config`; breakers and auto-swap off so deliberate failures never
/// exclude the provider. Stopped at the end of ``with(config:_:)``.
final class SessionBuddyTestHost: @unchecked Sendable {
    static let capability = CapabilityID(parsing: "adapter:memory:session-buddy")!

    let testHost: TestHost
    var host: CapabilityHost { testHost.host }

    private init(testHost: TestHost) { self.testHost = testHost }

    /// The plugin's config for `peer` with short timeouts; `extra` replaces or adds keys.
    static func config(_ peer: SessionBuddyPeer, _ extra: [String: Any] = [:]) -> [String: Any] {
        var config: [String: Any] = ["url": peer.url, "timeout": 10, "health_timeout": 2, "max_attempts": 2, "retry_backoff": 0.05]
        config.merge(extra) { $1 }
        return config
    }

    /// Loads the plugin with `config` (the load must succeed) and runs `body`.
    static func with<Result>(config: [String: Any], _ body: (SessionBuddyTestHost) async throws -> Result) async throws -> Result {
        let text = String(decoding: try JSONSerialization.data(withJSONObject: config, options: [.sortedKeys]), as: UTF8.self)
        return try await TestHost.with({ configuration in
            configuration.invocation.breakerThreshold = 1_000
            configuration.autoSwap.enabled = false
            configuration.probe.timeout = .seconds(10)
            configuration.pluginConfigs["session-buddy"] = text
        }) { testHost in
            let report = try await load(into: testHost)
            guard report.state == .loaded else {
                throw FixtureError("session-buddy.so did not load: \(report.error.map { "\($0)" } ?? "no reason")")
            }
            return try await body(SessionBuddyTestHost(testHost: testHost))
        }
    }

    /// Installs the built plugin into `testHost` and loads it; the report says how it went.
    static func load(into testHost: TestHost) async throws -> PluginReport {
        let built = try FixturePlugins.builtPlugin("SessionBuddyPlugin")
        let file = try FixturePlugins.install(built, into: testHost.pluginsDirectory, as: "session-buddy.so")
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

    /// The host's health check of the provider, now.
    func health() async -> HealthObservation? {
        await host.checkAdapterHealth(id: Self.capability.description)
    }

    /// The results of a `search` answer.
    static func results(_ answer: [String: Any]) -> [[String: Any]] { answer["results"] as? [[String: Any]] ?? [] }
}
