import CapHostCore
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A host under measurement and its drop folder.
final class BenchHost: Sendable {
    let host: CapabilityHost
    let pluginsDirectory: String

    init(host: CapabilityHost, pluginsDirectory: String) {
        self.host = host
        self.pluginsDirectory = pluginsDirectory
    }

    var invoker: Invoker { host.invoker }

    /// Copies `file` into plugins.d under a dot-name (the watcher ignores those)
    /// and returns that staging path; `publish` renames it into place.
    func stage(_ file: String, as name: String) throws(BenchError) -> String {
        let staging = "\(pluginsDirectory)/.\(name).staging"
        try? FileManager.default.removeItem(atPath: staging)
        do {
            try FileManager.default.copyItem(atPath: file, toPath: staging)
        } catch {
            throw BenchError("copy \(file) → \(staging): \(error)")
        }
        chmod(staging, 0o755)
        return staging
    }

    /// Renames a staged file to `name` in plugins.d: it appears whole, at once.
    @discardableResult
    func publish(_ staging: String, as name: String) throws(BenchError) -> String {
        let target = "\(pluginsDirectory)/\(name)"
        guard rename(staging, target) == 0 else {
            throw BenchError("rename \(staging) → \(target): \(String(cString: strerror(errno)))")
        }
        return target
    }

    /// Installs `file` as `name` and loads it; throws with the host's reason unless it loaded.
    @discardableResult
    func load(_ file: String, as name: String) async throws(BenchError) -> PluginReport {
        let target = try publish(try stage(file, as: name), as: name)
        let report = await host.load(file: target)
        guard report.state == .loaded else {
            throw BenchError("\(name) did not load (\(report.state.rawValue)): \(report.error.map { "\($0)" } ?? "no reason given")")
        }
        return report
    }

    func stop() async {
        await host.stop(drainTimeout: .seconds(2))
    }
}
