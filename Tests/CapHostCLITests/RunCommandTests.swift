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

    @Test func fileAndInputErrorsExitTwoAndFailedRunsExitOne() async throws {
        let host = try await Self.servedEcosystem()
        let bad = host.root + "/bad.yaml"
        try "name: bad\nsteps:\n  - {name: a, tool: oneiric_list_adapters, params: {x: \"${steps.b.y}\"}}\n  - {name: b, tool: oneiric_list_adapters}\n"
            .write(toFile: bad, atomically: true, encoding: .utf8)
        let refused = try await host.run(["run", bad])
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("bad.yaml:3:57: steps[0]: ${steps.b.y}: step 'b' is used before it runs"), "\(refused.stderr)")

        let noInput = try await host.run(["run", Self.examples + "/backup-with-dynamic-storage.yaml"])
        #expect(noInput.status == 2, "\(noInput.stderr)")
        #expect(noInput.stderr.contains("no input 'repos' was given"), "\(noInput.stderr)")

        let needs = host.root + "/needs.yaml"
        try "name: needs\nadapter_requirements:\n  - {domain: adapter, category: storage, provider: azure}\nsteps:\n  - {name: a, tool: oneiric_list_adapters}\n"
            .write(toFile: needs, atomically: true, encoding: .utf8)
        let unmet = try await host.run(["run", needs])
        #expect(unmet.status == 1, "\(unmet.stderr)")
        #expect(unmet.stderr.contains("requires adapter:storage:azure, but no provider 'azure' is loaded; candidates considered: adapter:storage"), "\(unmet.stderr)")

        let failing = host.root + "/failing.yaml"
        try "name: failing\nsteps:\n  - {name: a, tool: \"adapter:bench/sleep\", params: {}}\n  - {name: b, tool: oneiric_list_adapters}\n"
            .write(toFile: failing, atomically: true, encoding: .utf8)
        let failed = try await host.run(["run", failing])
        #expect(failed.status == 1, "\(failed.stderr)")
        #expect(failed.stdout.contains("✗ a  invalid_argument:") && failed.stdout.contains("· b  not run"), "\(failed.stdout)")

        let dry = try await host.run(["run", Self.examples + "/execute-with-prefect.yaml", "--dry-run", "--input", "flow={}"])
        #expect(dry.status == 0, "\(dry.stderr)")
        #expect(dry.stdout.contains("execute-with-prefect is ready to run"), "\(dry.stdout)")
        let runs = try ClientCommandTests.object(try await host.run(["runs", "--json"]).stdout)["runs"] as? [[String: Any]] ?? []
        #expect(runs.map { $0["workflow"] as? String } == ["failing"], "a dry run or a refused run was recorded: \(runs)")
        await host.stop()
    }
}
