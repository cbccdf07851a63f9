import CapHostTestSupport
import Foundation
import Testing

/// The shipped `quality-feedback-loop` workflow, run with `caphost run` against a real
/// `caphost serve` over the real plugins: crackerjack 0.91.1 (in the sandbox) on a Python project
/// with undefined names in two files (ruff F821, high severity), the local memory (SQLite), the
/// quality loop and the outbox. Run twice: the first run mails one summary, which Python's strict
/// `email` parser reads; the second finds the pattern again and mails nothing (told within the window).
@Suite struct QualityFeedbackLoopTests {
    static let workflow = FixturePlugins.repositoryRoot + "/Plugins/Examples/Workflows/quality-feedback-loop.yaml"

    @Test func theLoopMailsARecurringIssueOnceAndNeverTwiceInItsWindow() async throws {
        try await Py314Sandbox.shared.ensureBuilt()
        let rootFolder = try TemporaryFolder("quality-loop")
        defer { rootFolder.remove() }
        let root = rootFolder.path
        let plugins = root + "/plugins.d", projects = root + "/projects", work = root + "/work", outbox = root + "/outbox"
        for folder in [plugins, projects] {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
        }
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let configs: [(product: String, name: String, config: [String: Any])] = [
            ("CrackerjackPlugin", "crackerjack", [
                "command": Py314Sandbox.crackerjackCommand, "allowed_roots": [projects], "work_parent": work,
                "environment": ["PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],
                "default_timeout": 300, "max_timeout": 900,
            ]),
            ("LocalMemoryPlugin", "local-memory", ["path": root + "/memory.sqlite"]),
            ("QualityLoopPlugin", "quality-loop", ["threshold": 2, "window_days": 30]),
            ("OutboxPlugin", "outbox", ["directory": outbox, "hostname": "loop.test"]),
        ]
        for plugin in configs {
            try FixturePlugins.install(try FixturePlugins.builtPlugin(plugin.product), into: plugins, as: plugin.name + ".so")
            try JSONSerialization.data(withJSONObject: plugin.config).write(to: URL(fileURLWithPath: plugins + "/\(plugin.name).json"))
        }
        // Undefined names in two files: two F821 (high) per run; the pattern's threshold is 2.
        let project = projects + "/shop"
        try FileManager.default.createDirectory(atPath: project + "/shop", withIntermediateDirectories: true)
        try "[project]\nname = \"shop\"\nversion = \"0.1.0\"\nrequires-python = \">=3.13\"\ndependencies = []\n"
            .write(toFile: project + "/pyproject.toml", atomically: true, encoding: .utf8)
        try "def total(values):\n    return reduce(lambda a, b: a + b, values)\n".write(toFile: project + "/shop/__init__.py", atomically: true, encoding: .utf8)
        try "def first(items):\n    return itemz[0]\n".write(toFile: project + "/shop/util.py", atomically: true, encoding: .utf8)
        let before = try FolderChecksum.of(project)

        let serve = try ServeProcess(pluginsDirectory: plugins, stateDirectory: root + "/state")
        try await serve.start(timeout: .seconds(60))
        defer { serve.kill() }
        let listing = try JSONSerialization.jsonObject(with: Data(try await serve.request(.GET, "/v1/plugins").body)) as? [String: Any]
        let states = (listing?["plugins"] as? [[String: Any]] ?? []).map { plugin in
            let file = URL(fileURLWithPath: plugin["file"] as? String ?? "").lastPathComponent
            return "\(file)=\(plugin["state"] as? String ?? "")"
        }
        #expect(states.sorted() == ["crackerjack.so=loaded", "local-memory.so=loaded", "outbox.so=loaded", "quality-loop.so=loaded"], "\(states)")

        func loop() async throws -> CommandLineRun {
            try await CommandLineRun.caphost(["run", Self.workflow, "--input", "project=\(project)", "--input", "to=dev@example.com",
                                              "--state-dir", root + "/state"], timeout: .seconds(600))
        }
        let first = try await loop()
        #expect(first.status == 0, "\(first.stdout)\(first.stderr)\n\(serve.log().suffix(3000))")
        #expect(first.stdout.contains("✓ check  adapter:quality:crackerjack"), "\(first.stdout)")
        #expect(first.stdout.contains("✓ tell  adapter:notifier:outbox"), "\(first.stdout)")
        let mails = ((try? FileManager.default.contentsOfDirectory(atPath: outbox + "/new")) ?? []).filter { $0.hasSuffix(".eml") }
        #expect(mails.count == 1, "outbox: \(mails)")
        let read = try await PythonPeer.run("eml_parse.py", mails.map { outbox + "/new/" + $0 })
        #expect(read.status == 0, "\(read.stderr)")
        let message = (try JSONSerialization.jsonObject(with: Data(read.stdout.utf8)) as? [[String: Any]])?.first ?? [:]
        #expect((message["defects"] as? [Any])?.isEmpty == true, "\(message)")
        #expect(message["subject"] as? String == "caphost quality: F821 keeps coming back in shop", "\(message)")
        let text = message["text"] as? String ?? ""
        #expect(text.contains("F821 (ruff-check): 2 times") && text.contains("  - shop/__init__.py") && text.contains("  - shop/util.py"), "\(text)")

        // Again: F821 is found again (4 times now) but was told within the window.
        let second = try await loop()
        #expect(second.status == 0, "\(second.stdout)\(second.stderr)")
        #expect(second.stdout.contains("– tell") || second.stdout.contains("skipped"), "\(second.stdout)")
        let after = ((try? FileManager.default.contentsOfDirectory(atPath: outbox + "/new")) ?? []).filter { $0.hasSuffix(".eml") }
        #expect(after.count == 1, "a second mail was sent: \(after)")
        #expect(try FolderChecksum.of(project) == before, "crackerjack's fixes reached the original project")
        #expect(await serve.stop() == 0)
    }
}
