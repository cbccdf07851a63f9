import CapHostCore
import CapHostState
import CapHostTestSupport
import Foundation

/// A real `CapabilityHost` in a private temporary folder with the built `libMailgunPlugin.so`
/// in its plugins.d, a SQLite key-value store (the plugin's idempotency records) and a captured
/// log. Breakers and auto-swap are off so a run of deliberate failures never excludes the
/// provider. Like `TestHost`, but with the log and the store these tests inspect.
final class MailgunHost: @unchecked Sendable {
    static let capability = "adapter:notifier:mailgun"
    static let slot = SlotKey(domain: "adapter", category: "notifier")

    /// The host's folder (plugins.d, state); removed by `stop()` or when the last host using it goes.
    let folder: TemporaryFolder
    let host: CapabilityHost
    let log: CapturedLog
    let report: PluginReport
    private let database: StateDatabase

    /// Starts a host whose `mailgun` plugin gets `config` (as JSON) and loads it. The load may
    /// fail (check ``report``): a bad configuration or an unhealthy Mailgun fails it.
    /// `reusing` is a previous host's folder (its state database), as a restart would see it.
    static func start(config: [String: Any], reusing existing: TemporaryFolder? = nil) async throws -> MailgunHost {
        let built = try FixturePlugins.builtPlugin("MailgunPlugin")
        let folder = try existing ?? TemporaryFolder("mailgun")
        let plugins = try folder.folder("plugins.d")
        var configuration = HostConfiguration(pluginsDirectory: plugins, stateDirectory: folder.file("state"))
        configuration.probe.runnerPath = FixturePlugins.buildProductsDirectory + "/caphost-runner"
        configuration.probe.timeout = .seconds(10)
        configuration.watcher.enabled = false
        configuration.autoSwap.enabled = false
        configuration.invocation.breakerThreshold = 1_000
        configuration.scoring.tickInterval = .milliseconds(50)
        configuration.scoring.healthInterval = .seconds(3600)
        configuration.scoring.healthTimeout = .seconds(10)
        let configText = String(decoding: try JSONSerialization.data(withJSONObject: config, options: [.sortedKeys]), as: UTF8.self)
        configuration.pluginConfigs["mailgun"] = configText
        let log = CapturedLog()
        let database = try StateDatabase.open(stateDirectory: folder.file("state"))
        let host = try CapabilityHost(configuration: configuration, logger: log.logger(label: "caphost.mailgun-test"),
                                      keyValueStore: SQLiteKeyValueStore(database: database))
        let file = try FixturePlugins.install(built, into: plugins, as: "mailgun.so")
        let report = await host.load(file: file)
        return MailgunHost(folder: folder, host: host, log: log, report: report, database: database)
    }

    /// Starts a host with `config`, requires its plugin to have loaded, runs `body`, and stops
    /// the host whether `body` returns or throws.
    static func with<Result>(config: [String: Any], _ body: (MailgunHost) async throws -> Result) async throws -> Result {
        try await withStopping(try await start(config: config), stop: { await $0.stop() }) { test in
            guard test.report.state == .loaded else {
                throw FixtureError("the mailgun plugin did not load: \(test.report.error?.description ?? "no error recorded")")
            }
            return try await body(test)
        }
    }

    /// A plugin configuration for `peer` with fast retries; `overrides` replace or add keys.
    static func config(for peer: MailgunPeer, apiKey: String, overrides: [String: Any] = [:]) -> [String: Any] {
        var config: [String: Any] = ["domain": peer.domain, "api_key": apiKey, "base_url": peer.baseURL,
                                     "timeout": 5, "max_attempts": 3, "backoff_initial": 0.05, "backoff_max": 0.2]
        config.merge(overrides) { $1 }
        return config
    }

    private init(folder: TemporaryFolder, host: CapabilityHost, log: CapturedLog, report: PluginReport, database: StateDatabase) {
        self.folder = folder
        self.host = host
        self.log = log
        self.report = report
        self.database = database
    }

    /// Calls `send` through the host's resolver and returns the response as a JSON object.
    func send(_ payload: [String: Any], idempotencyKey: String? = nil,
              timeout: Duration = .seconds(30)) async throws -> [String: Any] {
        let bytes = Array(try JSONSerialization.data(withJSONObject: payload))
        let response = try await host.invoker.invoke(.slot(Self.slot), method: "send", payload: bytes,
                                                     timeout: timeout, idempotencyKey: idempotencyKey)
        guard let object = try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any] else {
            throw FixtureError("send returned no JSON object: \(response.body.text)")
        }
        return object
    }

    /// Calls `send` expecting a failure; returns the host's error.
    func sendFailing(_ payload: [String: Any], timeout: Duration = .seconds(30)) async throws -> InvocationError {
        do {
            let response = try await send(payload, timeout: timeout)
            throw FixtureError("send succeeded but was expected to fail: \(response)")
        } catch let error as InvocationError {
            return error
        }
    }

    /// Stops the host (destroying the instance) and, unless `keepState`, removes its folder.
    func stop(keepState: Bool = false) async {
        await host.stop(drainTimeout: .seconds(5))
        if !keepState { folder.remove() }
    }
}

/// A minimal valid `send` payload.
func basicMessage(_ overrides: [String: Any] = [:]) -> [String: Any] {
    var message: [String: Any] = ["from": "Caphost <noreply@mg.example.com>", "to": "ops@example.com",
                                  "subject": "caphost test", "text": "hello"]
    message.merge(overrides) { $1 }
    return message
}
