import CapHostCore
import CapHostTestSupport
import Foundation

/// A real `CapabilityHost` in a private temporary folder with the built
/// `libCrackerjackPlugin.so` in its plugins.d (config as `crackerjack.json` beside it), a
/// captured log, and the folders a run needs: `projects/` (the only allowed root) and `work/`
/// (the plugin's work parent, which must be empty again after every run).
final class CrackerjackHost: @unchecked Sendable {
    static let capability = CapabilityReference.provider(CapabilityID(slot: SlotKey(domain: "adapter", category: "quality"), provider: "crackerjack"))

    let folder: TemporaryFolder
    let host: CapabilityHost
    let log: CapturedLog
    let report: PluginReport
    var projects: String { folder.file("projects") }
    var work: String { folder.file("work") }

    /// The argv that runs the real crackerjack 0.91.1 in the Python 3.14 sandbox.
    static var sandboxCommand: [String] { Py314Sandbox.crackerjackCommand }

    /// The config the tests start from; `overrides` replace or add keys.
    static func config(_ folder: TemporaryFolder, _ overrides: [String: Any] = [:]) -> [String: Any] {
        var config: [String: Any] = [
            "command": sandboxCommand,
            "allowed_roots": [folder.file("projects")],
            "work_parent": folder.file("work"),
            "environment": ["PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],
            "default_timeout": 120, "max_timeout": 600, "kill_grace": 2,
        ]
        config.merge(overrides) { $1 }
        return config
    }

    /// Starts a host and loads the plugin with `config(folder) + overrides` (the load may fail:
    /// check ``report``). The sandbox is built first when it is missing.
    static func start(_ overrides: [String: Any] = [:], healthTimeout: Duration = .seconds(5)) async throws -> CrackerjackHost {
        try await Py314Sandbox.shared.ensureBuilt()
        let built = try FixturePlugins.builtPlugin("CrackerjackPlugin")
        let folder = try TemporaryFolder("crackerjack")
        try folder.folder("projects")
        try folder.folder("work", mode: 0o700)
        let plugins = try folder.folder("plugins.d")
        var configuration = HostConfiguration(pluginsDirectory: plugins, stateDirectory: folder.file("state"))
        configuration.probe.runnerPath = FixturePlugins.buildProductsDirectory + "/caphost-runner"
        configuration.probe.timeout = healthTimeout + .seconds(10)
        configuration.createTimeout = healthTimeout + .seconds(10)
        configuration.watcher.enabled = false
        configuration.autoSwap.enabled = false
        configuration.invocation.breakerThreshold = 1_000
        configuration.scoring.healthInterval = .seconds(3600)
        configuration.scoring.healthTimeout = healthTimeout
        let log = CapturedLog()
        let host = try CapabilityHost(configuration: configuration, logger: log.logger(label: "caphost.crackerjack-test"), keyValueStore: nil)
        let document = try JSONSerialization.data(withJSONObject: config(folder, overrides), options: [.sortedKeys])
        try document.write(to: URL(fileURLWithPath: plugins + "/crackerjack.json"))
        let file = try FixturePlugins.install(built, into: plugins, as: "crackerjack.so")
        let report = await host.load(file: file)
        return CrackerjackHost(folder: folder, host: host, log: log, report: report)
    }

    /// Starts a host whose plugin must load, runs `body`, and stops the host whatever happens.
    static func with<Result>(_ overrides: [String: Any] = [:], healthTimeout: Duration = .seconds(5),
                             _ body: (CrackerjackHost) async throws -> Result) async throws -> Result {
        try await withStopping(try await start(overrides, healthTimeout: healthTimeout), stop: { await $0.stop() }) { test in
            guard test.report.state == .loaded else {
                throw FixtureError("the crackerjack plugin did not load: \(test.report.error?.description ?? "no error recorded")")
            }
            return try await body(test)
        }
    }

    private init(folder: TemporaryFolder, host: CapabilityHost, log: CapturedLog, report: PluginReport) {
        self.folder = folder
        self.host = host
        self.log = log
        self.report = report
    }

    /// Calls a method and returns its JSON object answer.
    func call(_ method: String, _ payload: [String: Any], timeout: Duration = .seconds(300)) async throws -> [String: Any] {
        let bytes = Array(try JSONSerialization.data(withJSONObject: payload))
        let response = try await host.invoker.invoke(Self.capability, method: method, payload: bytes, timeout: timeout)
        guard let object = try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any] else {
            throw FixtureError("\(method) returned no JSON object: \(response.body.text)")
        }
        return object
    }

    /// Calls `run` expecting a failure; returns the host's error.
    func runFailing(_ payload: [String: Any]) async throws -> InvocationError {
        do {
            let answer = try await call("run", payload, timeout: .seconds(60))
            throw FixtureError("run succeeded but was expected to fail: \(answer)")
        } catch let error as InvocationError {
            return error
        }
    }

    /// Run folders left in the work parent (none after a finished run). A version check
    /// (`crackerjack-version-…`, started by a health check) may still be running.
    func workLeftovers() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: work).filter { !$0.hasPrefix("crackerjack-version-") }
    }

    func stop() async {
        await host.stop(drainTimeout: .seconds(5))
        folder.remove()
    }
}
