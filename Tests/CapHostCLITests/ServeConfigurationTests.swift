import CapHostTestSupport
import Foundation
import Testing

/// `caphost serve --config caphost.yaml`: a plugin's section in the file is its
/// configuration (here the recorder's record file), driven through the CLI.
@Suite(.serialized) struct ServeConfigurationTests {
    static var caphost: String { FixturePlugins.buildProductsDirectory + "/caphost" }

    /// A serve process over two noop providers (alpha priority 10, beta 5) and a recorder configured in caphost.yaml.
    static func withServe(_ body: (ServeProcess, String, String) async throws -> Void) async throws {
        let rootFolder = try TemporaryFolder("cli")
        defer { rootFolder.remove() }
        let root = rootFolder.path
        let plugins = root + "/plugins.d"
        let state = root + "/state"
        try FileManager.default.createDirectory(atPath: plugins, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
        try FixturePlugins.install(try FixturePlugins.build("noop.c", defines: providerDefines(name: "alpha", provider: "alpha", priority: 10)),
                                   into: plugins, as: "libalpha.so")
        try FixturePlugins.install(try FixturePlugins.build("noop.c", defines: providerDefines(name: "beta", provider: "beta", priority: 5)),
                                   into: plugins, as: "libbeta.so")
        try FixturePlugins.install(try FixturePlugins.build("recorder.c"), into: plugins, as: "librecorder.so")
        let config = root + "/caphost.yaml"
        try """
            # Written by CLIClientCommandTests: the recorder's settings come from its section here.
            plugins:
              librecorder:
                record_file: \(root)/records.txt
            """.write(toFile: config, atomically: true, encoding: .utf8)
        let serve = try ServeProcess(pluginsDirectory: plugins, stateDirectory: state, arguments: ["--config", config])
        try await serve.start()
        do {
            try await body(serve, state, root)
        } catch {
            await serve.stop()
            throw error
        }
        #expect(await serve.stop() == 0)
    }

    /// Runs `caphost ARGS --state-dir STATE`.
    static func cli(_ arguments: [String], state: String, stdin: String = "") async throws -> PeerProcess.Output {
        try await PeerProcess.run(caphost, arguments + ["--state-dir", state], stdin: stdin, timeout: .seconds(60))
    }

    static func json(_ output: PeerProcess.Output) throws -> Any {
        try JSONSerialization.jsonObject(with: Data(output.stdout.utf8))
    }

    @Test func pluginSectionsOfCaphostYAMLConfigureThePlugins() async throws {
        try await Self.withServe { _, state, root in
            let durable = try await Self.cli(["invoke", "adapter:journal", "record", #"{"n":1}"#, "--durable",
                                              "--idempotency-key", "cli-key-1", "--json"], state: state)
            #expect(durable.status == 0, "\(durable.stderr)")
            #expect((try Self.json(durable) as? [String: Any])?["idempotencyKey"] as? String == "cli-key-1")
            var recorded = ""
            try await eventually("the durable call to be recorded") {
                recorded = try String(contentsOfFile: root + "/records.txt", encoding: .utf8)
                return recorded.contains("cli-key-1")
            }
            #expect(recorded.contains("cli-key-1\t{\"n\":1}"), "the durable call reached the recorder configured in caphost.yaml: \(recorded)")

            let unknownMethod = try await Self.cli(["invoke", "adapter:bench", "nope", "{}"], state: state)
            #expect(unknownMethod.status == 1)
            #expect(unknownMethod.stderr.contains("nope"))
        }
    }

    @Test func aBadConfigurationStopsServeWithFileLineAndColumn() async throws {
        let rootFolder = try TemporaryFolder("badconfig")
        defer { rootFolder.remove() }
        let root = rootFolder.path
        try "http:\n  port: seventy\n".write(toFile: root + "/caphost.yaml", atomically: true, encoding: .utf8)
        let output = try await PeerProcess.run(Self.caphost, ["serve", "--config", root + "/caphost.yaml", "--state-dir", root + "/state"],
                                               timeout: .seconds(60))
        #expect(output.status == 2)
        #expect(output.stderr.contains("caphost.yaml:2:9: http.port"), "\(output.stderr)")
    }
}
