import CapHostTestSupport
import Foundation
import Testing

/// The README's examples work as written: its durable `send` is run, line for
/// line, against a `caphost serve` over the notifier plugins `serve.sh` installs.
@Suite struct ReadmeExampleTests {
    /// The README line that sends a durable mail, as written there.
    static func durableSendLine() throws -> String {
        let readme = try String(contentsOfFile: FixturePlugins.repositoryRoot + "/README.md", encoding: .utf8)
        guard let line = readme.split(separator: "\n").first(where: { $0.hasPrefix("$caphost invoke adapter:notifier send") && $0.contains("--durable") }) else {
            throw FixtureError("README.md has no durable `$caphost invoke adapter:notifier send … --durable` line")
        }
        return String(line)
    }

    /// On a fresh `serve.sh` (Mailgun not configured, so it does not load; the
    /// outbox serves the slot on its defaults) the README's durable send is
    /// journaled, delivered by the outbox and written as an .eml file.
    @Test func theDurableSendExampleIsDeliveredOnAFreshServe() async throws {
        let rootFolder = try TemporaryFolder("readme")
        defer { rootFolder.remove() }
        let root = rootFolder.path
        let plugins = root + "/plugins.d"
        try FileManager.default.createDirectory(atPath: plugins, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
        try FixturePlugins.install(try FixturePlugins.builtPlugin("MailgunPlugin"), into: plugins, as: "libmailgun.so")
        try FixturePlugins.install(try FixturePlugins.builtPlugin("OutboxPlugin"), into: plugins, as: "liboutbox.so")
        let serve = try ServeProcess(pluginsDirectory: plugins, stateDirectory: root + "/.caphost")
        // serve.sh runs in the checkout; the outbox's default folder is relative to it.
        serve.process.currentDirectoryURL = URL(fileURLWithPath: root)
        try await serve.start()
        defer { serve.kill() }

        let line = try Self.durableSendLine()
        let sent = try await CommandLineRun.shell(line + " --state-dir .caphost", directory: root)
        let printed = sent.stdout
        #expect(sent.status == 0, "\(line): \(sent.stdout)\(sent.stderr)")
        guard let id = printed.split(separator: " ").dropFirst().first, printed.hasPrefix("delivery ") else {
            Issue.record("no delivery id in: \(printed)")
            return
        }

        var record: [String: Any] = [:]
        try await eventually("delivery \(id) to finish", timeout: .seconds(20)) {
            let answer = try await serve.request(.GET, "/v1/deliveries/\(id)")
            record = try JSONSerialization.jsonObject(with: Data(answer.body)) as? [String: Any] ?? [:]
            return ["delivered", "dead"].contains(record["state"] as? String)
        }
        #expect(record["state"] as? String == "delivered", "delivery \(id): \(record)")
        #expect(record["deliveredBy"] as? String == "adapter:notifier:outbox")
        let mails = (try? FileManager.default.contentsOfDirectory(atPath: root + "/.caphost/outbox/new")) ?? []
        #expect(mails.count == 1 && mails.first?.hasSuffix(".eml") == true, "outbox: \(mails)")
        #expect(await serve.stop() == 0)
    }

    /// On a fresh `serve.sh` the README's workflow runs as written (from the checkout):
    /// the diagram plugin draws the live slots and the outbox writes the mail.
    @Test func theWorkflowExampleRunsOnAFreshServe() async throws {
        let readme = try String(contentsOfFile: FixturePlugins.repositoryRoot + "/README.md", encoding: .utf8)
        let line = try #require(readme.split(separator: "\n").first { $0.hasPrefix("$caphost run ") }.map(String.init),
                                "README.md has no `$caphost run` line")
        let rootFolder = try TemporaryFolder("readme-run")
        defer { rootFolder.remove() }
        let root = rootFolder.path
        let plugins = root + "/plugins.d"
        try FileManager.default.createDirectory(atPath: plugins, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
        for (product, file) in [("MailgunPlugin", "libmailgun.so"), ("OutboxPlugin", "liboutbox.so"), ("DiagramPlugin", "libdiagram.so")] {
            try FixturePlugins.install(try FixturePlugins.builtPlugin(product), into: plugins, as: file)
        }
        let serve = try ServeProcess(pluginsDirectory: plugins, stateDirectory: root + "/.caphost")
        serve.process.currentDirectoryURL = URL(fileURLWithPath: root)
        try await serve.start()
        defer { serve.kill() }

        let run = try await CommandLineRun.shell(line + " --state-dir \(root)/.caphost", directory: FixturePlugins.repositoryRoot)
        #expect(run.status == 0, "\(line): \(run.stdout)\(run.stderr)")
        #expect(run.stdout.contains("✓ picture  adapter:diagram:mermaid"), "\(run.stdout)")
        #expect(run.stdout.contains("✓ mail  adapter:notifier:outbox"), "\(run.stdout)")
        let mails = (try? FileManager.default.contentsOfDirectory(atPath: root + "/.caphost/outbox/new")) ?? []
        #expect(mails.count == 1, "outbox: \(mails)")
        if let mail = mails.first, let text = try? String(contentsOfFile: root + "/.caphost/outbox/new/" + mail, encoding: .utf8) {
            #expect(text.contains("Subject: caphost serves 4 healthy adapters"), "\(text.prefix(600))")
            #expect(text.contains("flowchart"), "\(text.prefix(600))")
        }
        #expect(await serve.stop() == 0)
    }
}
