import CapHostCore
import CapHostTestSupport
import Foundation

/// Installs a plugin product this package built (`libNAME.so`) into a test host's drop folder,
/// with its config beside it as `NAME.json`, and loads it.
enum ShippedPlugin {
    @discardableResult
    static func load(_ product: String, into test: TestHost, as name: String, config: String) async throws -> PluginReport {
        let built = try FixturePlugins.builtPlugin(product)
        try config.write(toFile: test.pluginsDirectory + "/\(name).json", atomically: true, encoding: .utf8)
        let file = try FixturePlugins.install(built, into: test.pluginsDirectory, as: "\(name).so")
        let report = await test.host.load(file: file)
        guard report.state == .loaded else { throw FixtureError("\(product) did not load: \(report)") }
        return report
    }
}

/// Reads `.eml` files with Python's `email` package (Tests/Peers/eml_parse.py).
enum PythonMailReader {
    struct Message: Decodable {
        struct Part: Decodable, Equatable {
            let contentType: String
            let disposition: String?
            let filename: String?
            let contentId: String?
            let sha256: String
            let size: Int
        }
        let defects: [String]
        let subject: String?
        let from: [[String]]
        let to: [[String]]
        let cc: [[String]]
        let bcc: [[String]]
        let messageId: String?
        let date: String?
        let headers: [String: [String]]
        let contentType: String
        let text: String?
        let html: String?
        let parts: [Part]
    }

    static func read(_ paths: [String]) async throws -> [Message] {
        let run = try await PythonPeer.run("eml_parse.py", paths)
        guard run.status == 0 else { throw FixtureError("eml_parse.py failed (exit \(run.status)): \(run.stderr)") }
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return try decoder.decode([Message].self, from: Data(run.stdout.utf8))
    }
}
