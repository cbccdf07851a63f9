import CapHostCore
import Foundation
import Logging
#if canImport(Glibc)
import Glibc
#endif

/// The bench's private directory (mkdtemp, mode 0700): compiled fixtures, and
/// one plugins.d + state directory per host. Removed by `remove()`.
final class BenchWorkspace: Sendable {
    let root: String
    let fixturesDirectory: String
    /// Where the bench binary, caphost-runner and libEchoSwiftPlugin.so were built.
    let buildProductsDirectory: String

    init() throws(BenchError) {
        var template = Array((NSTemporaryDirectory() + "caphost-bench-XXXXXX").utf8CString)
        guard let created = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
            throw BenchError("mkdtemp in \(NSTemporaryDirectory()) failed: \(String(cString: strerror(errno)))")
        }
        root = String(cString: created)
        fixturesDirectory = root + "/fixtures"
        try Self.makeDirectory(fixturesDirectory)
        let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        buildProductsDirectory = (executable as NSString).deletingLastPathComponent
    }

    /// A new host in `root/<name>/` (plugins.d and state), probing with the
    /// caphost-runner beside the bench binary. The watcher is off unless asked for.
    func makeHost(named name: String, watcher: Bool = false,
                  pluginConfigs: [String: String] = [:], isolation: IsolationSettings.Mode = .inProcess) throws(BenchError) -> BenchHost {
        let directory = "\(root)/\(name)"
        try Self.makeDirectory(directory)
        let pluginsDirectory = directory + "/plugins.d"
        try Self.makeDirectory(pluginsDirectory)
        var configuration = HostConfiguration(pluginsDirectory: pluginsDirectory, stateDirectory: directory + "/state")
        configuration.probe.runnerPath = buildProductsDirectory + "/caphost-runner"
        configuration.watcher.enabled = watcher
        configuration.isolation.defaultMode = isolation
        if !pluginConfigs.isEmpty {
            configuration.pluginConfigLoader = { stem, _ in pluginConfigs[stem] }
        }
        var logger = Logger(label: "caphost.bench")
        // Events are logged at info; 10 000 swaps would flood stderr and time the terminal.
        logger.logLevel = .critical
        do {
            return BenchHost(host: try CapabilityHost(configuration: configuration, logger: logger), pluginsDirectory: pluginsDirectory)
        } catch {
            throw BenchError("cannot create a host: \(error)")
        }
    }

    /// Runs `body` with a new host and stops the host afterwards, whatever happened.
    func withHost<T>(named name: String, watcher: Bool = false, pluginConfigs: [String: String] = [:],
                     isolation: IsolationSettings.Mode = .inProcess,
                     _ body: (BenchHost) async throws(BenchError) -> T) async throws(BenchError) -> T {
        let bench = try makeHost(named: name, watcher: watcher, pluginConfigs: pluginConfigs, isolation: isolation)
        do {
            let value = try await body(bench)
            await bench.stop()
            return value
        } catch {
            await bench.stop()
            throw error
        }
    }

    func remove() {
        try? FileManager.default.removeItem(atPath: root)
    }

    /// mkdir with mode 0700 set explicitly (the host refuses group/world-writable directories).
    static func makeDirectory(_ path: String) throws(BenchError) {
        guard mkdir(path, 0o700) == 0 || errno == EEXIST else {
            throw BenchError("mkdir \(path): \(String(cString: strerror(errno)))")
        }
        chmod(path, 0o700)
    }
}
