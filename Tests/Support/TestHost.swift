import CapHostCore
import Foundation
import Logging
#if canImport(Glibc)
import Glibc
#endif

/// A real host in private temporary directories (mode 0700), with settings
/// fast enough for tests. Removes its directories when stopped.
public final class TestHost: @unchecked Sendable {
    public let folder: TemporaryFolder
    public var root: String { folder.path }
    public let pluginsDirectory: String
    public let stateDirectory: String
    public let host: CapabilityHost

    public init(keyValueStore: (any PluginKeyValueStore)? = nil,
                _ adjust: (inout HostConfiguration) -> Void = { _ in }) throws {
        let folder = try TemporaryFolder("test")
        let root = folder.path
        self.folder = folder
        self.pluginsDirectory = root + "/plugins.d"
        self.stateDirectory = root + "/state"
        mkdir(pluginsDirectory, 0o755)
        var configuration = HostConfiguration(pluginsDirectory: pluginsDirectory, stateDirectory: stateDirectory)
        configuration.probe.runnerPath = FixturePlugins.buildProductsDirectory + "/caphost-runner"
        configuration.probe.timeout = .seconds(3)
        configuration.watcher.enabled = false
        configuration.scoring.tickInterval = .milliseconds(20)
        configuration.scoring.healthInterval = .seconds(3600)
        adjust(&configuration)
        var logger = Logger(label: "caphost.test")
        logger.logLevel = ProcessInfo.processInfo.environment["CAPHOST_TEST_LOG"] != nil ? .debug : .critical
        self.host = try CapabilityHost(configuration: configuration, logger: logger, keyValueStore: keyValueStore)
    }

    /// Builds `source` with `defines` and drops it into plugins.d as `name`.
    @discardableResult
    public func install(_ source: String, as name: String, defines: [String: String] = [:]) throws -> String {
        try FixturePlugins.install(try FixturePlugins.build(source, defines: defines), into: pluginsDirectory, as: name)
    }

    /// Builds, installs and loads a noop-family plugin.
    @discardableResult
    public func load(_ source: String, as name: String, defines: [String: String] = [:]) async throws -> PluginReport {
        let file = try install(source, as: name, defines: defines)
        return await host.load(file: file)
    }

    /// Runs `body` on a new host and stops the host afterwards, whether `body` returned or threw.
    public static func with<T>(keyValueStore: (any PluginKeyValueStore)? = nil,
                               _ adjust: (inout HostConfiguration) -> Void = { _ in },
                               _ body: (TestHost) async throws -> T) async throws -> T {
        try await withStopping(try TestHost(keyValueStore: keyValueStore, adjust), stop: { await $0.stop() }, body)
    }

    public func stop() async {
        await host.stop(drainTimeout: .seconds(2))
        folder.remove()
    }
}

/// Defines for a noop-family fixture.
public func providerDefines(name: String, provider: String, category: String = "bench", priority: Int = 0,
                     stackLevel: Int = 0, version: String = "1.0.0") -> [String: String] {
    ["PLUGIN_NAME": FixturePlugins.quoted(name), "CAP_PROVIDER": FixturePlugins.quoted(provider),
     "CAP_CATEGORY": FixturePlugins.quoted(category), "CAP_PRIORITY": "\(priority)",
     "CAP_STACK_LEVEL": "\(stackLevel)", "PLUGIN_VERSION": FixturePlugins.quoted(version)]
}

extension Array where Element == UInt8 {
    public var text: String { String(decoding: self, as: UTF8.self) }
}
