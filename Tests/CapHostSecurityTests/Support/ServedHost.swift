import CapHostTestSupport
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A real `caphost serve` on 127.0.0.1 (ephemeral ports) over private
/// temporary folders, with the plugins and `caphost.yaml` a probe needs.
/// `stop()` ends the process and removes the folders.
final class ServedHost: @unchecked Sendable {
    let folder: TemporaryFolder
    var root: String { folder.path }
    let pluginsDirectory: String
    let stateDirectory: String
    let serve: ServeProcess

    /// `plugins`: file name in plugins.d → path of a built `.so`; `config`: caphost.yaml text.
    init(plugins: [String: String] = [:], config: String = "", arguments: [String] = []) throws {
        folder = try TemporaryFolder("security")
        let root = folder.path
        pluginsDirectory = root + "/plugins.d"
        stateDirectory = root + "/state"
        mkdir(pluginsDirectory, 0o755)
        for (name, source) in plugins { _ = try FixturePlugins.install(source, into: pluginsDirectory, as: name) }
        let configPath = root + "/caphost.yaml"
        try config.write(toFile: configPath, atomically: true, encoding: .utf8)
        serve = try ServeProcess(pluginsDirectory: pluginsDirectory, stateDirectory: stateDirectory,
                                 arguments: ["--config", configPath] + arguments)
    }

    func start() async throws { try await serve.start() }

    /// The admin API's port, once started.
    var port: Int { Int(serve.baseURL.split(separator: ":").last ?? "") ?? 0 }
    var token: String { serve.token }

    /// A raw request with the bearer token.
    func authorized(_ method: String, _ target: String, headers: [String] = [], body: String = "") throws -> RawHTTP.Response {
        try RawHTTP.exchange(port: port, RawHTTP.head(method, target, port: port, headers: ["Authorization: Bearer \(token)"] + headers),
                             body: body)
    }

    /// A raw request without any credentials.
    func anonymous(_ method: String, _ target: String, headers: [String] = [], body: String = "") throws -> RawHTTP.Response {
        try RawHTTP.exchange(port: port, RawHTTP.head(method, target, port: port, headers: headers), body: body)
    }

    @discardableResult
    func stop() async -> Int32 {
        let status = await serve.stop()
        folder.remove()
        return status
    }
}
