import CapHostTestSupport
import Foundation
import Testing

/// The `caphost` client commands against a real `caphost serve` (configured by
/// a caphost.yaml), found through the state directory's server.json.
@Suite(.serialized) struct CLIClientCommandTests {
    static var caphost: String { FixturePlugins.buildProductsDirectory + "/caphost" }

    /// A serve process over two noop providers (alpha priority 10, beta 5) and a recorder configured in caphost.yaml.
    static func withServe(_ body: (ServeProcess, String, String) async throws -> Void) async throws {
        let root = NSTemporaryDirectory() + "caphost-cli-\(UUID().uuidString.prefix(8))"
        let plugins = root + "/plugins.d"
        let state = root + "/state"
        try FileManager.default.createDirectory(atPath: plugins, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
        defer { try? FileManager.default.removeItem(atPath: root) }
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

    @Test func readCommands() async throws {
        try await Self.withServe { _, state, _ in
            let plugins = try await Self.cli(["plugins"], state: state)
            #expect(plugins.status == 0, "\(plugins.stderr)")
            #expect(plugins.stdout.contains("alpha") && plugins.stdout.contains("recorder"))
            let pluginsJSON = try Self.json(try await Self.cli(["plugins", "--json"], state: state)) as? [String: Any]
            #expect((pluginsJSON?["plugins"] as? [Any])?.count == 3)

            let capabilities = try await Self.cli(["capabilities"], state: state)
            #expect(capabilities.status == 0)
            #expect(capabilities.stdout.contains("adapter:bench") && capabilities.stdout.contains("adapter:journal"))

            let explain = try await Self.cli(["explain", "adapter:bench"], state: state)
            #expect(explain.status == 0)
            #expect(explain.stdout.contains("priority"), "explain names the deciding rule: \(explain.stdout)")
            let resolve = try Self.json(try await Self.cli(["resolve", "adapter:bench", "--json"], state: state)) as? [String: Any]
            #expect(resolve?["provider"] as? String == "adapter:bench:alpha")

            let unknown = try await Self.cli(["explain", "adapter:nothing"], state: state)
            #expect(unknown.status == 1)
            #expect(unknown.stderr.contains("adapter:nothing"))
        }
    }

    @Test func invokeFromArgumentFileAndStandardInput() async throws {
        try await Self.withServe { _, state, root in
            let argument = try await Self.cli(["invoke", "adapter:bench", "echo", #"{"a":1}"#], state: state)
            #expect(argument.status == 0, "\(argument.stderr)")
            #expect(argument.stdout.contains(#"{"a":1}"#))
            try #"{"from":"file"}"#.write(toFile: root + "/payload.json", atomically: true, encoding: .utf8)
            let file = try await Self.cli(["invoke", "adapter:bench:beta", "echo", "@" + root + "/payload.json"], state: state)
            #expect(file.status == 0, "\(file.stderr)")
            #expect(file.stdout.contains(#"{"from":"file"}"#))
            let standardInput = try await Self.cli(["invoke", "adapter:bench", "echo", "-"], state: state, stdin: #"{"from":"stdin"}"#)
            #expect(standardInput.status == 0, "\(standardInput.stderr)")
            #expect(standardInput.stdout.contains(#"{"from":"stdin"}"#))

            let durable = try await Self.cli(["invoke", "adapter:journal", "record", #"{"n":1}"#, "--durable",
                                              "--idempotency-key", "cli-key-1", "--json"], state: state)
            #expect(durable.status == 0, "\(durable.stderr)")
            #expect((try Self.json(durable) as? [String: Any])?["idempotencyKey"] as? String == "cli-key-1")
            let deadline = ContinuousClock.now + .seconds(10)
            var recorded = ""
            while ContinuousClock.now < deadline {
                recorded = (try? String(contentsOfFile: root + "/records.txt", encoding: .utf8)) ?? ""
                if recorded.contains("cli-key-1") { break }
                try await Task.sleep(for: .milliseconds(20))
            }
            #expect(recorded.contains("cli-key-1\t{\"n\":1}"), "the durable call reached the recorder configured in caphost.yaml: \(recorded)")

            let unknownMethod = try await Self.cli(["invoke", "adapter:bench", "nope", "{}"], state: state)
            #expect(unknownMethod.status == 1)
            #expect(unknownMethod.stderr.contains("nope"))
        }
    }

    @Test func operatorCommandsAndEvents() async throws {
        try await Self.withServe { _, state, _ in
            let swap = try await Self.cli(["swap", "adapter:bench", "beta"], state: state)
            #expect(swap.status == 0, "\(swap.stderr)")
            var resolved = try Self.json(try await Self.cli(["resolve", "adapter:bench", "--json"], state: state)) as? [String: Any]
            #expect(resolved?["provider"] as? String == "adapter:bench:beta")

            #expect(try await Self.cli(["pin", "adapter:bench", "alpha"], state: state).status == 0)
            resolved = try Self.json(try await Self.cli(["resolve", "adapter:bench", "--json"], state: state)) as? [String: Any]
            #expect(resolved?["provider"] as? String == "adapter:bench:alpha")
            #expect(try await Self.cli(["unpin", "adapter:bench"], state: state).status == 0)

            let drain = try await Self.cli(["drain", "adapter:bench:alpha"], state: state)
            #expect(drain.status == 0, "\(drain.stderr)")
            resolved = try Self.json(try await Self.cli(["resolve", "adapter:bench", "--json"], state: state)) as? [String: Any]
            #expect(resolved?["provider"] as? String == "adapter:bench:beta")

            let events = try await Self.cli(["events", "--kind", "swap_completed,pinned,drain_started"], state: state)
            #expect(events.status == 0)
            #expect(events.stdout.contains("swap_completed") && events.stdout.contains("pinned") && events.stdout.contains("drain_started"))
            let eventsJSON = try Self.json(try await Self.cli(["events", "--json", "--kind", "swap_completed"], state: state))
            #expect(((eventsJSON as? [String: Any])?["events"] as? [Any] ?? (eventsJSON as? [Any]))?.count == 1)
        }
    }

    @Test func helpfulErrorsWithoutAHost() async throws {
        let state = NSTemporaryDirectory() + "caphost-nohost-\(UUID().uuidString.prefix(8))"
        defer { try? FileManager.default.removeItem(atPath: state) }
        // A loopback port nothing listens on.
        let unreachable = try await PeerProcess.run(Self.caphost, ["plugins", "--url", "http://127.0.0.1:9", "--token", "x"], timeout: .seconds(60))
        #expect(unreachable.status == 3)
        #expect(unreachable.stderr.contains("caphost serve"), "\(unreachable.stderr)")
        try await Self.withServe { serve, state, _ in
            let wrongToken = try await PeerProcess.run(Self.caphost, ["plugins", "--url", serve.baseURL, "--token", "wrong-token-wrong-token"],
                                                       timeout: .seconds(60))
            #expect(wrongToken.status == 1)
            #expect(wrongToken.stderr.lowercased().contains("token"), "\(wrongToken.stderr)")
            let usage = try await Self.cli(["swap", "adapter:bench"], state: state)
            #expect(usage.status == 2)
        }
    }
}
