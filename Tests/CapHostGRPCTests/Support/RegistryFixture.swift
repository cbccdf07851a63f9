import CapHostCore
import CapHostGRPC
import CapHostTestSupport
import Foundation
import Logging
import Metrics

/// A real host with four real plugins, the catalog the registry serves:
///
/// | adapter id              | fixture        |
/// |-------------------------|----------------|
/// | adapter:notifier:alpha  | noop.c         |
/// | adapter:storage:gamma   | noop.c         |
/// | adapter:work:flaky      | controllable.c (its health fails once `failHealth()` ran) |
/// | service:notifier:beta   | noop.c         |
final class RegistryFixture: Sendable {
    static let project = "grpc-tests"
    static let alpha = "adapter:notifier:alpha"
    static let beta = "service:notifier:beta"
    static let gamma = "adapter:storage:gamma"
    static let flaky = "adapter:work:flaky"
    static let allIDs = [alpha, gamma, flaky, beta]

    let testHost: TestHost
    let controlFile: String
    var host: CapabilityHost { testHost.host }

    private init(testHost: TestHost, controlFile: String) {
        self.testHost = testHost
        self.controlFile = controlFile
    }

    /// Runs `body` with a loaded host (`TestHost.with`: stopped and its folders removed afterwards, also on failure).
    static func with(_ body: (RegistryFixture) async throws -> Void) async throws {
        var controlFile = ""
        try await TestHost.with({ configuration in
            configuration.project = project
            controlFile = (configuration.stateDirectory as NSString).deletingLastPathComponent + "/flaky.control"
            configuration.pluginConfigs["flaky"] = #"{"control_file":"\#(controlFile)"}"#
        }) { testHost in
            let fixture = RegistryFixture(testHost: testHost, controlFile: controlFile)
            try await fixture.load("noop.c", as: "alpha.so", providerDefines(name: "alpha", provider: "alpha", category: "notifier"))
            try await fixture.load("noop.c", as: "beta.so", providerDefines(name: "beta", provider: "beta", category: "notifier")
                .merging(["CAP_DOMAIN": FixturePlugins.quoted("service")]) { $1 })
            try await fixture.load("noop.c", as: "gamma.so", providerDefines(name: "gamma", provider: "gamma", category: "storage"))
            try await fixture.load("controllable.c", as: "flaky.so", [
                "PLUGIN_NAME": FixturePlugins.quoted("flaky"), "CAP_PROVIDER": FixturePlugins.quoted("flaky"),
            ])
            try await body(fixture)
        }
    }

    /// Runs `body` with a host that has no plugins (`TestHost.with`).
    static func withEmptyHost(_ body: (CapabilityHost) async throws -> Void) async throws {
        try await TestHost.with { testHost in try await body(testHost.host) }
    }

    private func load(_ source: String, as name: String, _ defines: [String: String]) async throws {
        let report = try await testHost.load(source, as: name, defines: defines)
        guard report.state == .loaded else { throw FixtureError("\(name) did not load: \(report)") }
    }

    /// Makes the controllable plugin's health check fail from now on.
    func failHealth() throws {
        try Data("h".utf8).write(to: URL(fileURLWithPath: controlFile))
    }

    /// Runs a registry for this host until `body` returns (or throws), then shuts it down and waits for it.
    func withServer(_ settings: AdapterRegistrySettings = AdapterRegistrySettings(port: 0),
                    metrics: (any MetricsFactory)? = nil,
                    _ body: (AdapterRegistryServer, Int) async throws -> Void) async throws {
        try await RegistryFixture.serve(host: host, settings, metrics: metrics, body)
    }

    /// Quiet unless CAPHOST_TEST_LOG is set.
    static var logger: Logger {
        var logger = Logger(label: "caphost.grpc.test")
        logger.logLevel = ProcessInfo.processInfo.environment["CAPHOST_TEST_LOG"] != nil ? .debug : .critical
        return logger
    }

    /// Runs `server` in a task; stops it gracefully after `body`, also when `body` throws.
    static func serve(host: CapabilityHost, _ settings: AdapterRegistrySettings, metrics: (any MetricsFactory)? = nil,
                      _ body: (AdapterRegistryServer, Int) async throws -> Void) async throws {
        let server = try AdapterRegistryServer(host: host, settings: settings, logger: logger, metricsFactory: metrics)
        let running = Task { try await server.run() }
        do {
            let (_, port) = try await server.listeningAddress()
            try await body(server, port)
        } catch {
            server.beginGracefulShutdown()
            running.cancel()
            _ = await running.result
            throw error
        }
        server.beginGracefulShutdown()
        try await running.value
    }
}
