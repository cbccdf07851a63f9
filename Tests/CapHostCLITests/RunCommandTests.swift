import CapHostCore
import CapHostTestSupport
import Foundation
import Testing

/// `caphost run` and `caphost runs` against a real `caphost serve`: seed 001's
/// example workflows run unchanged and are recorded in the host's SQLite state.
@Suite struct RunCommandTests {
    static let examples = FixturePlugins.repositoryRoot + "/Plugins/Examples/Workflows"

    /// alpha/beta (adapter:bench), storage providers s3 and gcs, orchestration prefect, the seed's tools.
    static func servedEcosystem() async throws -> ClientCommandTests.ServedHost {
        var plugins: [String: String] = ["tools.so": try FixturePlugins.build("workflow_tools.c"),
                                         "libdiagram.so": try FixturePlugins.builtPlugin("DiagramPlugin")]
        for (name, category) in [("s3", "storage"), ("gcs", "storage"), ("prefect", "orchestration")] {
            plugins["\(name).so"] = try FixturePlugins.build("noop.c", defines: providerDefines(name: name, provider: name, category: category))
        }
        return try await ClientCommandTests.ServedHost(extraPlugins: plugins)
    }

    @Test func theSeedsWorkflowsRunAreRecordedAndShown() async throws {
        let host = try await Self.servedEcosystem()
        let run = try await host.run(["run", Self.examples + "/backup-with-dynamic-storage.yaml", "--input", #"repos=["caphost","oneiric"]"#, "--json"])
        #expect(run.status == 0, "\(run.stderr)\n\(run.stdout)")
        let report = try ClientCommandTests.object(run.stdout)
        #expect(report["succeeded"] as? Bool == true)
        let steps = report["steps"] as? [[String: Any]] ?? []
        #expect(steps.map { $0["outcome"] as? String } == ["succeeded", "succeeded", "succeeded", "succeeded"])
        let accepted = (steps.last?["output"] as? [String: Any])?["accepted"] as? [String: Any]
        #expect(accepted?["repos"] as? [String] == ["caphost", "oneiric"])
        let id = try #require(report["id"] as? String)

        let text = try await host.run(["run", Self.examples + "/execute-with-prefect.yaml", "--input", #"flow={"name":"nightly"}"#])
        #expect(text.status == 0, "\(text.stderr)")
        #expect(text.stdout.contains("✓ execute-flow  service:workers:fixture"), "\(text.stdout)")
        #expect(text.stdout.contains("of execute-with-prefect succeeded in"), "\(text.stdout)")

        let listing = try await host.run(["runs"])
        #expect(listing.status == 0, "\(listing.stderr)")
        #expect(listing.stdout.contains("execute-with-prefect") && listing.stdout.contains("backup-with-dynamic-storage"), "\(listing.stdout)")
        #expect(listing.stdout.contains("succeeded  4/4"), "\(listing.stdout)")
        let shown = try await host.run(["runs", "show", id, "--json"])
        #expect(shown.status == 0, "\(shown.stderr)")
        let recorded = try ClientCommandTests.object(shown.stdout)
        #expect(recorded["state"] as? String == "succeeded")
        #expect((recorded["steps"] as? [[String: Any]])?.map { $0["provider"] as? String } == ["host", "host", "host", "service:coordination:fixture"])
        #expect((recorded["document"] as? String)?.contains("backup-with-dynamic-storage") == true)

        // The recorded run drawn by the diagram plugin, each step with its outcome.
        let drawn = try await host.run(["diagram", "workflow", "--run", id])
        #expect(drawn.status == 0, "\(drawn.stderr)")
        #expect(drawn.stdout.contains("title: \"run \(id) of backup-with-dynamic-storage: succeeded\""), "\(drawn.stdout)")
        #expect(drawn.stdout.contains("backup-repos<br/>coord_backup_repositories<br/>✓ service:coordination:fixture · "), "\(drawn.stdout)")
        let both = try await host.run(["diagram", "workflow", "x.yaml", "--run", id])
        #expect(both.status == 2 && both.stderr.contains("draws a SOURCE file or a --run, not both"), "\(both.stderr)")
        await host.stop()
    }

    /// `POST /v1/workflows/run` without `Accept: application/x-ndjson` answers the report as one
    /// document; problems found before the first step answer with their status and code.
    @Test func theRunRouteAnswersAReportOrTheProblemsStatus() async throws {
        let host = try await Self.servedEcosystem()
        func post(_ document: String, inputs: [String: Any] = [:]) async throws -> (status: Int, object: [String: Any]) {
            let body = String(decoding: try JSONSerialization.data(withJSONObject: ["document": document, "file": "w.yaml", "inputs": inputs]), as: UTF8.self)
            let answer = try await host.serve.request(.POST, "/v1/workflows/run", body: body)
            return (answer.status, try ClientCommandTests.object(String(decoding: answer.body, as: UTF8.self)))
        }
        let ok = try await post("name: w\nsteps:\n  - {name: v, tool: \"adapter:bench/version\"}\n")
        #expect(ok.status == 200 && ok.object["succeeded"] as? Bool == true, "\(ok)")
        #expect(((ok.object["steps"] as? [[String: Any]])?.first?["output"] as? [String: Any])?["provider"] as? String == "alpha")
        let bad = try await post("name: w\nsteps: []\n")
        #expect(bad.status == 400 && bad.object["code"] as? String == "invalid_workflow", "\(bad)")
        let input = try await post("name: w\nsteps:\n  - {name: v, tool: \"adapter:bench/echo\", params: {x: \"${input.x}\"}}\n")
        #expect(input.status == 400 && input.object["code"] as? String == "invalid_input", "\(input)")
        let unmet = try await post("name: w\nadapter_requirements: [{domain: adapter, category: queue}]\nsteps:\n  - {name: v, tool: oneiric_list_adapters}\n")
        #expect(unmet.status == 424 && unmet.object["code"] as? String == "requirement_unmet", "\(unmet)")
        let tool = try await post("name: w\nsteps:\n  - {name: v, tool: \"adapter:bench/nope\"}\n")
        #expect(tool.status == 400 && tool.object["code"] as? String == "unknown_tool", "\(tool)")
        let missing = try await host.serve.request(.GET, "/v1/runs/nope")
        #expect(missing.status == 404)
        await host.stop()
    }

    @Test func fileAndInputErrorsExitTwoAndFailedRunsExitOne() async throws {
        let host = try await Self.servedEcosystem()
        /// `caphost run` on a file with `text` in the host's folder.
        func run(_ name: String, _ text: String) async throws -> CommandLineRun {
            try text.write(toFile: host.root + "/" + name, atomically: true, encoding: .utf8)
            return try await host.run(["run", host.root + "/" + name])
        }
        let refused = try await run("bad.yaml", "name: bad\nsteps:\n  - {name: a, tool: oneiric_list_adapters, params: {x: \"${steps.b.y}\"}}\n  - {name: b, tool: oneiric_list_adapters}\n")
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("bad.yaml:3:57: steps[0]: ${steps.b.y}: step 'b' is used before it runs"), "\(refused.stderr)")

        let noInput = try await host.run(["run", Self.examples + "/backup-with-dynamic-storage.yaml"])
        #expect(noInput.status == 2, "\(noInput.stderr)")
        #expect(noInput.stderr.contains("no input 'repos' was given"), "\(noInput.stderr)")

        let unmet = try await run("needs.yaml", "name: needs\nadapter_requirements:\n  - {domain: adapter, category: storage, provider: azure}\nsteps:\n  - {name: a, tool: oneiric_list_adapters}\n")
        #expect(unmet.status == 1, "\(unmet.stderr)")
        #expect(unmet.stderr.contains("requires adapter:storage:azure, but no provider 'azure' is loaded; candidates considered: adapter:storage"), "\(unmet.stderr)")

        let failed = try await run("failing.yaml", "name: failing\nsteps:\n  - {name: a, tool: \"adapter:bench/sleep\", params: {}}\n  - {name: b, tool: oneiric_list_adapters}\n")
        #expect(failed.status == 1, "\(failed.stderr)")
        #expect(failed.stdout.contains("✗ a  invalid_argument:") && failed.stdout.contains("· b  not run"), "\(failed.stdout)")

        // A dry run refuses missing inputs as a run does; a bad input file says where it broke.
        let dryNoInput = try await host.run(["run", Self.examples + "/execute-with-prefect.yaml", "--dry-run"])
        #expect(dryNoInput.status == 2 && dryNoInput.stderr.contains("no input 'flow' was given"), "\(dryNoInput.stderr)")
        try "{\"flow\": [1,\n 2,}".write(toFile: host.root + "/inputs.json", atomically: true, encoding: .utf8)
        let badInputs = try await host.run(["run", Self.examples + "/execute-with-prefect.yaml", "--input-file", host.root + "/inputs.json"])
        #expect(badInputs.status == 2 && badInputs.stderr.contains("inputs.json: invalid JSON at line 2, column"), "\(badInputs.stderr)")
        try "[1]".write(toFile: host.root + "/list.json", atomically: true, encoding: .utf8)
        let listInputs = try await host.run(["run", Self.examples + "/execute-with-prefect.yaml", "--input-file", host.root + "/list.json"])
        #expect(listInputs.status == 2 && listInputs.stderr.contains("expected a JSON object of inputs, found a list"), "\(listInputs.stderr)")

        let dry = try await host.run(["run", Self.examples + "/execute-with-prefect.yaml", "--dry-run", "--input", "flow={}"])
        #expect(dry.status == 0, "\(dry.stderr)")
        #expect(dry.stdout.contains("execute-with-prefect is ready to run"), "\(dry.stdout)")
        let runs = try ClientCommandTests.object(try await host.run(["runs", "--json"]).stdout)["runs"] as? [[String: Any]] ?? []
        #expect(runs.map { $0["workflow"] as? String } == ["failing"], "a dry run or a refused run was recorded: \(runs)")
        await host.stop()
    }
}
