import CapHostTestSupport
import Foundation
import Testing

/// `kill -9` of `caphost serve` in the middle of a workflow run: the next start
/// resumes the run from its first unfinished step, no finished step runs again,
/// and the durable step journaled before the kill is delivered, not journaled twice.
@Suite struct WorkflowKillTests {
    static let workflow = """
        name: survives-a-kill
        steps:
          - {name: first, tool: "adapter:journal/record", params: {step: first}}
          - {name: held, tool: "adapter:held/record", durable: true, params: {step: held, after: "${steps.first.ok}"}}
          - {name: last, tool: "adapter:journal/record", params: {step: last, held: "${steps.held}"}}
        """

    @Test func aRunKilledMidStepResumesAtTheNextStartWithoutRepeatingAFinishedStep() async throws {
        let rootFolder = try TemporaryFolder("workflow-kill")
        defer { rootFolder.remove() }
        let root = rootFolder.path
        let plugins = root + "/plugins.d", state = root + "/state"
        let records = root + "/records.txt", held = root + "/held.txt", hold = root + "/hold"
        try FileManager.default.createDirectory(atPath: plugins, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
        let journal = try FixturePlugins.build("recorder.c", defines: ["CAP_CATEGORY": FixturePlugins.quoted("journal")])
        try FixturePlugins.install(journal, into: plugins, as: "librecorder.so")
        try Data(#"{"record_file": "\#(records)"}"#.utf8).write(to: URL(fileURLWithPath: plugins + "/librecorder.json"))
        let holding = try FixturePlugins.build("recorder.c", defines: ["CAP_CATEGORY": FixturePlugins.quoted("held"),
                                                                      "PLUGIN_NAME": FixturePlugins.quoted("recorder-held")])
        try FixturePlugins.install(holding, into: plugins, as: "libheld.so")
        try Data(#"{"record_file": "\#(held)", "hold_file": "\#(hold)"}"#.utf8).write(to: URL(fileURLWithPath: plugins + "/libheld.json"))
        try Data().write(to: URL(fileURLWithPath: hold))

        // First process: the run's first step finishes, its durable step is journaled and
        // in flight (held by the provider), and SIGKILL lands.
        let first = try ServeProcess(pluginsDirectory: plugins, stateDirectory: state)
        try await first.start()
        let body = String(decoding: try JSONSerialization.data(withJSONObject: ["document": Self.workflow, "file": "kill.yaml"]), as: UTF8.self)
        let request = Task { try await first.request(.POST, "/v1/workflows/run", body: body) }
        var runID = ""
        try await eventually("the first step to finish and the durable one to be in flight", timeout: .seconds(30)) {
            let runs = try Self.object(await first.request(.GET, "/v1/runs").body)["runs"] as? [[String: Any]] ?? []
            let inFlight = try Self.object(await first.request(.GET, "/v1/deliveries?state=inFlight").body)["deliveries"] as? [Any] ?? []
            runID = runs.first?["id"] as? String ?? ""
            return runs.first?["stepsFinished"] as? Int == 1 && inFlight.count == 1
        }
        first.kill()
        _ = try? await request.value
        #expect(Self.lines(records) == ["\t{\"step\":\"first\"}"])
        #expect(Self.lines(held).isEmpty)

        // Second process on the same state: the run is resumed once the plugins are loaded.
        let second = try ServeProcess(pluginsDirectory: plugins, stateDirectory: state)
        try await second.start()
        try FileManager.default.removeItem(atPath: hold)
        var run: [String: Any] = [:]
        try await eventually("the resumed run to finish", timeout: .seconds(30)) {
            run = try Self.object(await second.request(.GET, "/v1/runs/\(runID)").body)
            return run["state"] as? String != "running"
        }
        #expect(run["state"] as? String == "succeeded", "\(run)\n\(second.log().suffix(3000))")
        #expect(run["resumes"] as? Int == 1 && run["stepsFinished"] as? Int == 3, "\(run)")
        let steps = run["steps"] as? [[String: Any]] ?? []
        #expect(steps.map { $0["outcome"] as? String } == ["succeeded", "succeeded", "succeeded"])
        #expect(steps.map { $0["provider"] as? String } == ["adapter:journal:recorder", "adapter:held:recorder", "adapter:journal:recorder"])
        // `first` ran once (before the kill); the held step reached its provider once, under
        // the key it was journaled with; `last` read the held step's answer.
        let recorded = Self.lines(records)
        #expect(recorded.count == 2 && recorded.first == "\t{\"step\":\"first\"}", "\(recorded)")
        #expect(recorded.last?.contains(#""held":{"ok":true}"#) == true, "\(recorded)")
        #expect(Self.lines(held) == ["workflow/\(runID)/1/1\t{\"after\":true,\"step\":\"held\"}"] ||
                Self.lines(held) == ["workflow/\(runID)/1/1\t{\"step\":\"held\",\"after\":true}"], "\(Self.lines(held))")
        let deliveries = try Self.object(await second.request(.GET, "/v1/deliveries").body)["deliveries"] as? [[String: Any]] ?? []
        #expect(deliveries.count == 1 && deliveries.first?["state"] as? String == "delivered", "\(deliveries)")
        #expect(second.log().contains("workflow run \(runID) ('survives-a-kill') was left going by the previous stop; resuming it after 1 of 3 finished step(s)"),
                "\(second.log().suffix(3000))")
        #expect(await second.stop() == 0, "graceful stop failed: \(second.log().suffix(2000))")
    }

    static func object(_ bytes: [UInt8]) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any] ?? [:]
    }

    static func lines(_ path: String) -> [String] {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").map(String.init)
    }
}
