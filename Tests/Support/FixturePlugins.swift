import CapHostCore
import Crypto
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Builds the C fixture plugins under Tests/Fixtures/Plugins with `cc`, as a
/// third party would, and caches each (source, defines) build for the run.
public enum FixturePlugins {
    public static let repositoryRoot: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }()

    public static var fixturesDirectory: String { repositoryRoot + "/Tests/Fixtures/Plugins" }
    public static var headerDirectory: String { repositoryRoot + "/PluginABI/include" }

    /// The directory the test binary and the package's other products were built into.
    public static let buildProductsDirectory: String = {
        let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        var directory = (executable as NSString).deletingLastPathComponent
        for _ in 0..<3 {
            if FileManager.default.fileExists(atPath: directory + "/caphost-runner") { return directory }
            directory = (directory as NSString).deletingLastPathComponent
        }
        return (executable as NSString).deletingLastPathComponent
    }()

    /// The path of `lib<product>.so`, a plugin product this package built beside the tests.
    public static func builtPlugin(_ product: String) throws -> String {
        let path = buildProductsDirectory + "/lib\(product).so"
        guard FileManager.default.fileExists(atPath: path) else {
            throw FixtureError("\(path) is missing: run `swift build --build-tests` (it builds every product) before the tests")
        }
        return path
    }

    private static let cacheDirectory: String = {
        let path = NSTemporaryDirectory() + "caphost-fixtures-\(getpid())"
        mkdir(path, 0o700)
        return path
    }()
    private static let lock = NSLock()

    /// Compiles `source` (a file in Tests/Fixtures/Plugins) with `defines` and
    /// returns the cached `.so` path.
    public static func build(_ source: String, defines: [String: String] = [:]) throws -> String {
        let key = ([source] + defines.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }).joined(separator: "|")
        let digest = SHA256.hash(data: Data(key.utf8)).prefix(8).map { String(format: "%02x", $0) }.joined()
        let output = "\(cacheDirectory)/\((source as NSString).deletingPathExtension)-\(digest).so"
        lock.lock()
        defer { lock.unlock() }
        if FileManager.default.fileExists(atPath: output) { return output }
        var arguments = ["-std=c11", "-O2", "-Wall", "-shared", "-fPIC", "-pthread", "-I", headerDirectory]
        for (name, value) in defines.sorted(by: { $0.key < $1.key }) { arguments.append("-D\(name)=\(value)") }
        arguments += ["-o", output, "\(fixturesDirectory)/\(source)"]
        try run("/usr/bin/cc", arguments)
        return output
    }

    /// A string macro value for `defines` (`-DCAP_PROVIDER='"alpha"'`).
    public static func quoted(_ text: String) -> String { "\"\(text)\"" }

    /// Copies `file` into `directory` as `name`, written then renamed so a watcher
    /// never sees a half-written file.
    @discardableResult
    public static func install(_ file: String, into directory: String, as name: String) throws -> String {
        let target = "\(directory)/\(name)"
        let temporary = "\(directory)/.\(name).\(UInt32.random(in: 0...UInt32.max)).tmp"
        try FileManager.default.copyItem(atPath: file, toPath: temporary)
        chmod(temporary, 0o755)
        guard rename(temporary, target) == 0 else { throw FixtureError("rename \(temporary) → \(target): \(String(cString: strerror(errno)))") }
        return target
    }

    public static func run(_ executable: String, _ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let errors = Pipe()
        process.standardError = errors
        try process.run()
        let output = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw FixtureError("\(executable) \(arguments.joined(separator: " ")) failed: \(String(decoding: output, as: UTF8.self))")
        }
    }
}

/// A fixture could not be built or installed.
public struct FixtureError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
