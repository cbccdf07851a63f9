import CapHostClient
import CapHostCore
import CapHostTestSupport
import Foundation
import Testing

/// The `caphost` client commands as an operator runs them: the built executable
/// against a real `caphost serve` process, found through its state folder.
@Suite struct ClientCommandTests {
    static let bench = SlotKey(domain: "adapter", category: "bench")

    /// A `caphost serve` over alpha (priority 10) and beta (priority 5) providers of adapter:bench,
    /// plus `extraPlugins` (name in plugins.d → built file).
    final class ServedHost: @unchecked Sendable {
        let folder: TemporaryFolder
        var root: String { folder.path }
        let state: String
        let serve: ServeProcess

        init(extraPlugins: [String: String] = [:]) async throws {
            folder = try TemporaryFolder("cli")
            let root = folder.path
            let plugins = root + "/plugins.d"
            state = root + "/state"
            try FileManager.default.createDirectory(atPath: plugins, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o755])
            for (name, priority) in [("alpha", 10), ("beta", 5)] {
                let built = try FixturePlugins.build("noop.c", defines: providerDefines(name: name, provider: name, priority: priority))
                try FixturePlugins.install(built, into: plugins, as: "lib\(name).so")
            }
            for (name, built) in extraPlugins { try FixturePlugins.install(built, into: plugins, as: name) }
            serve = try ServeProcess(pluginsDirectory: plugins, stateDirectory: state)
            try await serve.start()
        }

        /// `caphost ARGS --state-dir STATE`.
        func run(_ arguments: [String], stdin: String? = nil, environment: [String: String] = [:]) async throws -> CommandLineRun {
            try await CommandLineRun.caphost(arguments + ["--state-dir", state], environment: environment, stdin: stdin, directory: root)
        }

        func stop() async {
            await serve.stop()
            folder.remove()
        }
    }

    static func object(_ text: String) throws -> [String: Any] {
        guard let object = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else {
            throw FixtureError("not a JSON object: \(text)")
        }
        return object
    }

    @Test func catalogCommandsPrintTablesAndJSON() async throws {
        let host = try await ServedHost()
        let plugins = try await host.run(["plugins"])
        #expect(plugins.status == 0, "\(plugins.stderr)")
        #expect(plugins.stdout.contains("loaded  alpha   1.0.0    libalpha.so  in-process  adapter:bench:alpha"), "\(plugins.stdout)")
        #expect(plugins.stdout.hasSuffix("2 of 2 plugin file(s) loaded\n"))
        let pluginsJSON = try Self.object(try await host.run(["plugins", "--json"]).stdout)
        #expect((pluginsJSON["plugins"] as? [[String: Any]])?.count == 2)

        let capabilities = try await host.run(["capabilities"])
        #expect(capabilities.stdout.hasPrefix("SLOT           ACTIVE               CANDIDATES  DECIDED BY\nadapter:bench  adapter:bench:alpha  2           "),
                "\(capabilities.stdout)")

        let explain = try await host.run(["explain", "adapter:bench"])
        #expect(explain.status == 0)
        #expect(explain.stdout.hasPrefix("adapter:bench: active adapter:bench:alpha\n  decided by: "), "\(explain.stdout)")
        #expect(explain.stdout.contains("  ● adapter:bench:alpha  active  (alpha 1.0.0)\n      priority 10, stack level 0, score "))
        #expect(explain.stdout.contains("  ○ adapter:bench:beta  standby  (beta 1.0.0)"))
        #expect(explain.stdout.contains("      why: "))
        let explainJSON = try Self.object(try await host.run(["explain", "adapter:bench", "--json"]).stdout)
        #expect(explainJSON["active"] as? String == "adapter:bench:alpha")

        let resolve = try await host.run(["resolve", "adapter/bench"])
        #expect(resolve.stdout.hasPrefix("adapter:bench → adapter:bench:alpha\n  decided by: "), "\(resolve.stdout)")
        let unknown = try await host.run(["explain", "adapter:nothing"])
        #expect(unknown.status == 1)
        #expect(unknown.stderr.hasPrefix("caphost: ") && unknown.stderr.contains("[unknown_slot]"), "\(unknown.stderr)")
        await host.stop()
    }

    @Test func invokeTakesThePayloadAsArgumentFileOrStandardInput() async throws {
        let host = try await ServedHost()
        let argument = try await host.run(["invoke", "adapter:bench", "echo", #"{"n":1}"#])
        #expect(argument.status == 0, "\(argument.stderr)")
        #expect(argument.stdout == "{\"n\":1}\n")
        #expect(argument.stderr == "served by adapter:bench:alpha\n")

        try #"{"from":"file"}"#.write(toFile: host.root + "/payload.json", atomically: true, encoding: .utf8)
        let file = try await host.run(["invoke", "adapter:bench:beta", "echo", "@payload.json"])
        #expect(file.stdout == "{\"from\":\"file\"}\n" && file.stderr == "served by adapter:bench:beta\n")

        let piped = try await host.run(["invoke", "adapter:bench", "echo"], stdin: #"{"from":"stdin"}"#)
        #expect(piped.stdout == "{\"from\":\"stdin\"}\n")
        let dash = try await host.run(["invoke", "adapter:bench", "echo", "-"], stdin: "[1,2,3]")
        #expect(dash.stdout == "[1,2,3]\n")
        let nothing = try await host.run(["invoke", "adapter:bench", "echo"])
        #expect(nothing.stdout == "{}\n", "no payload and an empty stdin sends {}")

        let unknownMethod = try await host.run(["invoke", "adapter:bench", "nope"])
        #expect(unknownMethod.status == 1)
        #expect(unknownMethod.stderr.contains("[unknown_method]"), "\(unknownMethod.stderr)")
        let overrun = try await host.run(["invoke", "adapter:bench", "sleep", "3000", "--deadline", "0.2"])
        #expect(overrun.status == 1 && overrun.stderr.contains("[timeout]"), "\(overrun.stderr)")
        let missingFile = try await host.run(["invoke", "adapter:bench", "echo", "@absent.json"])
        #expect(missingFile.status == 2 && missingFile.stderr.contains("PAYLOAD @absent.json: cannot read absent.json"))
        let badTarget = try await host.run(["invoke", "bench", "echo"])
        #expect(badTarget.status == 2 && badTarget.stderr.contains("TARGET must be domain:category"), "\(badTarget.stderr)")

        let durable = try await host.run(["invoke", "adapter:bench", "echo", #"{"d":1}"#, "--durable", "--idempotency-key", "k-1"])
        #expect(durable.status == 0, "\(durable.stderr)")
        #expect(durable.stdout.hasPrefix("delivery ") && durable.stdout.hasSuffix(" (idempotency key k-1) journaled: pending\n"), "\(durable.stdout)")
        let again = try Self.object(try await host.run(["invoke", "adapter:bench", "echo", #"{"d":1}"#, "--durable", "--idempotency-key", "k-1", "--json"]).stdout)
        #expect(again["idempotencyKey"] as? String == "k-1")
        #expect(durable.stdout.contains(again["deliveryId"] as? String ?? "?"), "the repeated key names the same delivery")
        await host.stop()
    }

    @Test func operatorCommandsChangeTheRunningHost() async throws {
        let host = try await ServedHost()
        let swap = try await host.run(["swap", "adapter:bench", "beta", "--reason", "cli test"])
        #expect(swap.status == 0, "\(swap.stderr)")
        #expect(swap.stdout.hasPrefix("adapter:bench: adapter:bench:alpha → adapter:bench:beta\n  health check of adapter:bench:beta: ok"), "\(swap.stdout)")
        let wrongSlot = try await host.run(["swap", "adapter:bench", "adapter:other:beta"])
        #expect(wrongSlot.status == 2 && wrongSlot.stderr.contains("belongs to the slot adapter:other, not adapter:bench"))

        let pin = try await host.run(["pin", "adapter:bench", "adapter:bench:alpha"])
        #expect(pin.status == 0 && pin.stdout.hasPrefix("pinned adapter:bench to alpha\n\nadapter:bench: active adapter:bench:alpha"), "\(pin.stdout)")
        let unpin = try await host.run(["unpin", "adapter:bench", "--json"])
        #expect(try Self.object(unpin.stdout)["override"] == nil)

        let drain = try await host.run(["drain", "adapter:bench:alpha", "--reason", "cli test"])
        #expect(drain.status == 0, "\(drain.stderr)")
        #expect(drain.stdout.hasPrefix("drained adapter:bench:alpha: 0 call(s) were in flight"))
        #expect(drain.stderr.isEmpty, "no progress line when stderr is not a terminal: \(drain.stderr)")
        #expect(try await host.run(["resolve", "adapter:bench"]).stdout.hasPrefix("adapter:bench → adapter:bench:beta"))
        let resume = try await host.run(["resume", "adapter:bench:alpha"])
        #expect(resume.stdout == "resumed adapter:bench:alpha: it takes calls again\n")
        let badID = try await host.run(["drain", "adapter:bench"])
        #expect(badID.status == 2 && badID.stderr.contains("ID must name one provider"), "\(badID.stderr)")

        let events = try await host.run(["events", "--kind", "swap_completed,pinned", "--json"])
        let listed = try Self.object(events.stdout)["events"] as? [[String: Any]] ?? []
        #expect(listed.map { $0["kind"] as? String } == ["swap_completed", "pinned"], "\(events.stdout)")
        let text = try await host.run(["events", "--kind", "drain_started"])
        #expect(text.stdout.split(separator: "\n").count == 1 && text.stdout.contains("drain_started  adapter:bench:alpha"), "\(text.stdout)")
        let badKind = try await host.run(["events", "--kind", "swap_complete"])
        #expect(badKind.status == 2 && badKind.stderr.contains("did you mean swap_completed?"))
        await host.stop()
    }

    @Test func eventsFollowPrintsEventsAsTheyHappen() async throws {
        let host = try await ServedHost()
        let last = try await HostClient.with(endpoint: try HostEndpoint.discover(stateDirectory: host.state, environment: [:])) {
            try await $0.events().last?.sequence ?? 0
        }
        let output = host.root + "/follow.out"
        _ = FileManager.default.createFile(atPath: output, contents: nil)
        let follow = Process()
        follow.executableURL = URL(fileURLWithPath: FixturePlugins.buildProductsDirectory + "/caphost")
        follow.arguments = ["events", "--follow", "--json", "--after", "\(last)", "--kind", "swap_completed", "--state-dir", host.state]
        follow.environment = [:]
        follow.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: output))
        follow.standardError = follow.standardOutput
        follow.standardInput = FileHandle.nullDevice
        try follow.run()
        defer { if follow.isRunning { kill(follow.processIdentifier, SIGKILL) } }
        try await Task.sleep(for: .milliseconds(500))
        #expect(try await host.run(["swap", "adapter:bench", "beta"]).status == 0)
        var lines: [Substring] = []
        try await eventually("--follow to print the swap") {
            lines = try String(contentsOfFile: output, encoding: .utf8).split(separator: "\n")
            return !lines.isEmpty
        }
        #expect(lines.count == 1, "\(lines)")
        let event = try Self.object(String(lines.first ?? ""))
        #expect(event["kind"] as? String == "swap_completed" && event["subject"] as? String == "adapter:bench")
        #expect(follow.isRunning, "--follow keeps running")
        follow.interrupt()
        await host.stop()
    }

    @Test func theHostIsFoundThroughTheEnvironmentAndErrorsHaveTheirExitStatus() async throws {
        let host = try await ServedHost()
        let environment = ["CAPHOST_URL": host.serve.baseURL, "CAPHOST_TOKEN": host.serve.token]
        let viaEnvironment = try await CommandLineRun.caphost(["plugins"], environment: environment)
        #expect(viaEnvironment.status == 0 && viaEnvironment.stdout.contains("2 of 2 plugin file(s) loaded"), "\(viaEnvironment.stderr)")

        let wrongToken = try await CommandLineRun.caphost(["plugins"], environment: ["CAPHOST_URL": host.serve.baseURL, "CAPHOST_TOKEN": "nope"])
        #expect(wrongToken.status == 1)
        #expect(wrongToken.stderr.contains("refused the token from the environment variable CAPHOST_TOKEN"), "\(wrongToken.stderr)")

        let port = try LoopbackSocket.closedPort()
        let nobody = try await CommandLineRun.caphost(["capabilities", "--url", "http://127.0.0.1:\(port)"])
        #expect(nobody.status == 3)
        #expect(nobody.stderr.hasPrefix("caphost: no caphost is listening on http://127.0.0.1:\(port)"), "\(nobody.stderr)")
        #expect(nobody.stderr.contains("start one with `caphost serve`, or set CAPHOST_URL / --url"))

        let usage = try await CommandLineRun.caphost(["explain"])
        #expect(usage.status == 2)
        let badURL = try await CommandLineRun.caphost(["plugins", "--url", "localhost:7070"])
        #expect(badURL.status == 2 && badURL.stderr.contains("is not a caphost URL"))
        await host.stop()
    }

    @Test func durableCallsThroughTheClient() async throws {
        let host = try await ServedHost()
        let endpoint = try HostEndpoint.discover(stateDirectory: host.state, environment: [:])
        try await HostClient.with(endpoint: endpoint) { client in
            let receipt = try await client.invokeDurably(.slot(Self.bench), method: "echo", payload: Array(#"{"x":1}"#.utf8),
                                                         idempotencyKey: "durable-1")
            #expect(!receipt.repeated && receipt.idempotencyKey == "durable-1")
            let repeated = try await client.invokeDurably(.slot(Self.bench), method: "echo", payload: Array(#"{"x":1}"#.utf8),
                                                          idempotencyKey: "durable-1")
            #expect(repeated.repeated && repeated.deliveryId == receipt.deliveryId)
            let deadline = ContinuousClock.now + .seconds(10)
            var record = try await client.delivery(id: receipt.deliveryId)
            while record["state"] != .string("delivered") && ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(20))
                record = try await client.delivery(id: receipt.deliveryId)
            }
            #expect(record["state"] == .string("delivered"), "\(record)")
            let delivered = try await client.deliveries(state: "delivered", limit: 10)
            #expect(delivered.deliveries.count == 1 && delivered.depth == 0)
            let missing = await #expect(throws: HostClientError.self) { try await client.delivery(id: "no-such-delivery") }
            #expect(missing?.status == 404)
        }
        await host.stop()
    }
}
