import CapHostCore
import CapHostTestSupport
@testable import CapHostWorkflows
import Foundation
import Synchronization
import Testing

/// Workflows run over a real host with real C plugins: seed 001's example
/// workflows unchanged, requirements checked first, failures handled per step.
@Suite struct WorkflowRunnerTests {
    static let examples = FixturePlugins.repositoryRoot + "/Plugins/Examples/Workflows"

    /// A host with storage providers s3 and gcs, orchestration provider prefect,
    /// the seed's coordination and worker tools, and adapter:bench (alpha, beta).
    static func withEcosystem<T>(_ body: (TestHost) async throws -> T) async throws -> T {
        try await TestHost.with { host in
            try await host.load("noop.c", as: "s3.so", defines: providerDefines(name: "s3", provider: "s3", category: "storage", priority: 10))
            try await host.load("noop.c", as: "gcs.so", defines: providerDefines(name: "gcs", provider: "gcs", category: "storage"))
            try await host.load("noop.c", as: "prefect.so", defines: providerDefines(name: "prefect", provider: "prefect", category: "orchestration"))
            try await host.load("noop.c", as: "alpha.so", defines: providerDefines(name: "alpha", provider: "alpha", priority: 10))
            try await host.load("noop.c", as: "beta.so", defines: providerDefines(name: "beta", provider: "beta", priority: 5))
            let tools = try await host.load("workflow_tools.c", as: "tools.so")
            #expect(tools.state == .loaded, "\(tools)")
            return try await body(host)
        }
    }

    @Test func theSeedsBackupWorkflowRunsUnchanged() async throws {
        try await Self.withEcosystem { host in
            let workflow = try #require(try WorkflowFileParser.load(path: Self.examples + "/backup-with-dynamic-storage.yaml").first)
            let report = try await WorkflowRunner(host: host.host).run(workflow, inputs: ["repos": ["caphost", "oneiric"]])
            #expect(report.succeeded, "\(report.failure ?? "")")
            #expect(report.steps.map(\.outcome) == [.succeeded, .succeeded, .succeeded, .succeeded])
            #expect(report.steps.map(\.provider) == ["host", "host", "host", "service:coordination:fixture"])
            let backup = try #require(report.steps.last?.output)
            #expect(backup["tool"] == "coord_backup_repositories")
            #expect(backup["accepted"]?["repos"] == ["caphost", "oneiric"])
            #expect(backup["accepted"]?["storage_adapter"]?["adapter_id"] == "adapter:storage:s3")
            #expect(report.steps[2].output?["healthy"] == true)
        }
    }

    @Test func theSeedsPrefectWorkflowRunsUnchanged() async throws {
        try await Self.withEcosystem { host in
            let workflow = try #require(try WorkflowFileParser.load(path: Self.examples + "/execute-with-prefect.yaml").first)
            let report = try await WorkflowRunner(host: host.host).run(workflow, inputs: ["flow": ["name": "nightly"]])
            #expect(report.succeeded, "\(report.failure ?? "")")
            let executed = try #require(report.steps.last?.output)
            #expect(executed["accepted"]?["flow_def"] == ["name": "nightly"])
            #expect(executed["accepted"]?["adapter"]?["adapter_id"] == "adapter:orchestration:prefect")
        }
    }

    @Test func anUnmetRequirementNamesItAndEveryCandidateBeforeAnyStepRuns() async throws {
        try await Self.withEcosystem { host in
            let yaml = """
            name: needs
            adapter_requirements:
              - {domain: adapter, category: storage, provider: azure}
              - {domain: adapter, category: queue}
              - {domain: adapter, category: storage}
            steps:
              - {name: call, tool: "adapter:bench/echo", params: {x: 1}}
            """
            let workflow = try #require(try WorkflowFileParser.parse(yaml: yaml, file: "needs.yaml").first)
            let bench = SlotKey(domain: "adapter", category: "bench")
            let callsBefore = host.host.explain(bench)?.candidates.map(\.calls)
            do throws(WorkflowRunError) {
                _ = try await WorkflowRunner(host: host.host).run(workflow)
                Issue.record("a workflow with unmet requirements ran")
            } catch {
                #expect(error.kind == .requirement)
                #expect(error.problems.count == 2, "\(error)")
                #expect(error.problems[0].hasPrefix("needs.yaml:3:5: workflow 'needs' requires adapter:storage:azure, but no provider 'azure' is loaded; candidates considered: adapter:storage:s3 (active"), "\(error.problems[0])")
                #expect(error.problems[0].contains("adapter:storage:gcs (standby"), "\(error.problems[0])")
                #expect(error.problems[1].hasPrefix("needs.yaml:4:5: workflow 'needs' requires adapter:queue, but no plugin provides adapter:queue (slots: "), "\(error.problems[1])")
            }
            #expect(host.host.explain(bench)?.candidates.map(\.calls) == callsBefore, "a step ran before the requirements were met")
        }
    }

    @Test func missingInputsAndUnknownToolsAreFoundBeforeTheFirstStep() async throws {
        try await Self.withEcosystem { host in
            let yaml = """
            name: bad
            steps:
              - {name: one, tool: "adapter:bench/echo", params: {x: "${input.missing}"}}
              - {name: two, tool: "adapter:bench/nope"}
              - {name: three, tool: no_such_method}
              - {name: four, tool: echo}
            """
            let workflow = try #require(try WorkflowFileParser.parse(yaml: yaml, file: "bad.yaml").first)
            await #expect(throws: WorkflowRunError.self) { try await WorkflowRunner(host: host.host).run(workflow) }
            do throws(WorkflowRunError) {
                _ = try await WorkflowRunner(host: host.host).run(workflow, inputs: ["missing": "here"])
                Issue.record("unknown tools were run")
            } catch {
                #expect(error.kind == .tool)
                #expect(error.problems == [
                    "bad.yaml:4:5: step 'two': adapter:bench/nope: adapter:bench has no method 'nope' (it has: echo, noop, sleep, version)",
                    "bad.yaml:5:5: step 'three': tool 'no_such_method' is neither a host tool (oneiric_list_adapters, oneiric_resolve_adapter, oneiric_check_health, oneiric_get_adapter) nor a method any loaded plugin declares; write DOMAIN:CATEGORY/METHOD to name a capability",
                    "bad.yaml:6:5: step 'four': tool 'echo' is a method of 3 slots (adapter:bench, adapter:orchestration, adapter:storage); write DOMAIN:CATEGORY/echo to choose one",
                ], "\(error.problems)")
            }
        }
    }

    /// A durable step needs a durable journal, and names a capability: otherwise it is
    /// refused before any step runs, never run as a plain call.
    @Test func aDurableStepWithoutAJournalOrOnAHostToolIsRefusedBeforeTheFirstStep() async throws {
        try await Self.withEcosystem { host in
            let yaml = """
            name: d
            steps:
              - {name: first, tool: "adapter:bench/echo"}
              - {name: kept, tool: "adapter:bench/echo", durable: true}
              - {name: listed, tool: oneiric_list_adapters, durable: true}
            """
            let workflow = try #require(try WorkflowFileParser.parse(yaml: yaml, file: "d.yaml").first)
            let bench = SlotKey(domain: "adapter", category: "bench")
            let callsBefore = host.host.explain(bench)?.candidates.map(\.calls)
            do throws(WorkflowRunError) {
                _ = try await WorkflowRunner(host: host.host).run(workflow)
                Issue.record("a durable step ran without a journal")
            } catch {
                #expect(error.kind == .tool)
                #expect(error.problems == [
                    "d.yaml:4:5: step 'kept': durable: true needs the host's durable journal, which this host does not keep (caphost serve keeps it in its state database)",
                    "d.yaml:5:5: step 'listed': durable: true journals a capability call, but oneiric_list_adapters is answered by the host itself and changes nothing; remove durable",
                ], "\(error.problems)")
            }
            #expect(host.host.explain(bench)?.candidates.map(\.calls) == callsBefore, "a step ran")
        }
    }

    /// A resumed run goes on from its first unfinished step: the finished steps are not
    /// called again, and their recorded outputs are what later steps read.
    @Test func aResumedRunGoesOnFromItsFirstUnfinishedStepWithTheRecordedOutputs() async throws {
        try await Self.withEcosystem { host in
            let yaml = """
            name: resumable
            steps:
              - {name: first, tool: "service:coordination/coord_backup_repositories", params: {repos: [a]}}
              - {name: skipped, tool: "service:workers/worker_execute_flow", params: {x: 1}, when: "${input.never}"}
              - {name: second, tool: "service:workers/worker_execute_flow", params: {from_first: "${steps.first.accepted.repos[0]}"}}
            """
            let workflow = try #require(try WorkflowFileParser.parse(yaml: yaml, file: "r.yaml").first)
            // As recorded before the stop: `first` answered something the fixture would not have.
            let recordedFirst = WorkflowReport.StepReport(name: "first", tool: "service:coordination/coord_backup_repositories",
                                                          outcome: .succeeded, provider: "service:coordination:fixture", attempts: 1,
                                                          durationMilliseconds: 2, output: ["accepted": ["repos": ["recorded"]]], error: nil)
            let recordedSkip = WorkflowReport.StepReport(name: "skipped", tool: "service:workers/worker_execute_flow", outcome: .skipped,
                                                         provider: nil, attempts: 0, durationMilliseconds: 0, output: nil, error: "when: false")
            let journal = MemoryJournal()
            let run = UnfinishedWorkflowRun(id: "r-1", workflow: "resumable", file: "r.yaml", document: yaml, inputs: ["never": false],
                                            startedAt: WallClockTime(secondsSince1970: WallClockTime.now.secondsSince1970 - 5),
                                            resumes: 0, finishedSteps: [0: recordedFirst, 1: recordedSkip])
            let coordination = SlotKey(domain: "service", category: "coordination")
            let callsBefore = host.host.explain(coordination)?.candidates.map(\.calls)
            let report = try await WorkflowRunner(host: host.host).resume(workflow, run: run, journal: journal)
            #expect(report.succeeded && !report.interrupted, "\(report.failure ?? "")")
            #expect(report.id == "r-1" && report.durationMilliseconds >= 5000)
            #expect(report.steps.map(\.outcome) == [.succeeded, .skipped, .succeeded])
            #expect(report.steps[2].output?["accepted"]?["from_first"] == "recorded")
            #expect(host.host.explain(coordination)?.candidates.map(\.calls) == callsBefore, "a finished step was called again")
            #expect(journal.events == ["resumed r-1", "step 2 second succeeded", "finished r-1 succeeded"])
        }
    }

    @Test func stepsRetryContinueSkipAndStopAsTheirPoliciesSay() async throws {
        try await Self.withEcosystem { host in
            let yaml = """
            name: policies
            steps:
              - {name: tolerated, tool: "adapter:bench/sleep", params: {}, on_error: continue}
              - {name: skipped, tool: "adapter:bench/echo", when: "${steps.tolerated}"}
              - {name: late, tool: "adapter:bench/sleep", params: 400, timeout: 50ms, on_error: continue}
              - {name: flaky, tool: "adapter:bench/sleep", params: {}, on_error: {retry: 2}}
              - {name: never, tool: "adapter:bench/echo"}
            """
            let workflow = try #require(try WorkflowFileParser.parse(yaml: yaml, file: "p.yaml").first)
            let report = try await WorkflowRunner(host: host.host).run(workflow)
            #expect(!report.succeeded)
            #expect(report.steps.map(\.outcome) == [.failed, .skipped, .failed, .failed, .notRun])
            #expect(report.steps.map(\.attempts) == [1, 0, 1, 3, 0])
            #expect(report.steps[0].error?.contains("does not match the input schema of adapter:bench:alpha sleep: (root): expected integer") == true, "\(report.steps[0].error ?? "")")
            #expect(report.steps[2].error?.hasPrefix("timeout:") == true, "\(report.steps[2].error ?? "")")
            #expect(report.failure?.hasPrefix("step 'flaky' failed") == true, "\(report.failure ?? "")")
        }
    }

    @Test func aSwapBetweenStepsIsFollowedAndTheRunFinishes() async throws {
        try await Self.withEcosystem { host in
            let yaml = """
            name: swapped
            steps:
              - {name: before, tool: "adapter:bench/version"}
              - {name: during, tool: "adapter:bench/sleep", params: 300}
              - {name: after, tool: "adapter:bench/version"}
            """
            let workflow = try #require(try WorkflowFileParser.parse(yaml: yaml, file: "s.yaml").first)
            let (started, announce) = AsyncStream<String>.makeStream()
            let target = CapabilityID(domain: "adapter", category: "bench", provider: "beta")
            // Swap alpha out while the middle step runs on it (once its call is in flight there).
            let bench = SlotKey(domain: "adapter", category: "bench")
            let swapper = Task { [host = host.host] in
                for await step in started where step == "during" {
                    try await eventually("the middle step's call to be in flight on alpha") {
                        host.explain(bench)?.candidates.first { $0.id == "adapter:bench:alpha" }?.inFlight ?? 0 > 0
                    }
                    _ = try await host.swap(to: target)
                    return true
                }
                return false
            }
            let report = try await WorkflowRunner(host: host.host).run(workflow) { progress in
                if case .started(let step, _, _) = progress { announce.yield(step) }
            }
            announce.finish()
            #expect(try await swapper.value)
            #expect(report.succeeded, "\(report.failure ?? "")")
            #expect(report.steps.map(\.provider) == ["adapter:bench:alpha", "adapter:bench:alpha", "adapter:bench:beta"])
            #expect(report.steps[2].output?["provider"] == "beta")
        }
    }
}

/// A journal in memory: what a runner told it, in order.
final class MemoryJournal: WorkflowRunJournal {
    private let recorded = Mutex<[String]>([])

    var events: [String] { recorded.withLock { $0 } }

    private func note(_ event: String) { recorded.withLock { $0.append(event) } }

    func runStarted(_ run: WorkflowRunStart) async throws { note("started \(run.id)") }
    func stepFinished(run: String, index: Int, _ step: WorkflowReport.StepReport) async throws {
        note("step \(index) \(step.name) \(step.outcome.rawValue)")
    }
    func runFinished(run: String, _ report: WorkflowReport) async throws { note("finished \(run) \(report.succeeded ? "succeeded" : "failed")") }
    func runResumed(run: String) async throws { note("resumed \(run)") }
}
