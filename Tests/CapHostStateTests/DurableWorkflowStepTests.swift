import CapHostCore
@testable import CapHostState
import CapHostTestSupport
import CapHostWorkflows
import Foundation
import Testing

/// `durable: true` workflow steps through the real durable engine on a real
/// SQLite file: journaled under the run's key, delivered with failover, their
/// answer kept and read by later steps; a resumed run waits for the delivery
/// it journaled instead of calling again; an engine stop leaves the run going.
@Suite struct DurableWorkflowStepTests {
    static let twoSteps = """
        name: noted
        steps:
          - {name: noted, tool: "adapter:journal/record", durable: true, timeout: 5s, params: {n: 1}}
          - {name: echoed, tool: "adapter:journal:beta/record", params: {answer: "${steps.noted.ok}"}}
        """

    @Test func aDurableStepIsJournaledFailsOverAndItsAnswerIsTheStepsOutput() async throws {
        let folder = try TemporaryFolder("durable-step")
        defer { folder.remove() }
        let alpha = Recorder(provider: "alpha", priority: 10, in: folder)
        let beta = Recorder(provider: "beta", in: folder)
        try alpha.failCalls()
        try await DurableRig.with([alpha, beta], in: folder) { rig in
            let workflow = try #require(try WorkflowFileParser.parse(yaml: Self.twoSteps, file: "noted.yaml").first)
            let store = WorkflowRunStore(database: rig.database)
            let report = try await WorkflowRunner(host: rig.test.host, durable: rig.engine)
                .run(workflow, journal: store, document: Self.twoSteps)
            #expect(report.succeeded, "\(report.failure ?? "")")
            #expect(report.steps[0].provider == "adapter:journal:beta" && report.steps[0].attempts == 2, "\(report.steps[0])")
            #expect(report.steps[0].output == ["ok": true])
            // The first step's answer, read back from the journal, is what the second step sent.
            let key = "workflow/\(report.id)/0/1"
            #expect(try beta.lines() == [Recorder.Line(key: key, payload: #"{"n":1}"#), Recorder.Line(key: "", payload: #"{"answer":true}"#)])
            let delivery = try #require(try await rig.journal.list().first { $0.idempotencyKey == key })
            #expect(delivery.state == .delivered && delivery.deliveredBy == "adapter:journal:beta" && delivery.failedProviders == ["alpha"])
            #expect(delivery.response == #"{"ok":true}"# && delivery.responseBytes == 11)
            #expect(try store.run(id: report.id)?.steps.first?.output == ["ok": true])
        }
    }

    /// As after a kill -9 between journaling the step and its end: the resumed run
    /// finds the delivery by its key, waits for it, and the provider sees it once.
    @Test func aResumedRunWaitsForTheDeliveryItJournaledInsteadOfCallingAgain() async throws {
        let folder = try TemporaryFolder("durable-resume")
        defer { folder.remove() }
        let beta = Recorder(provider: "beta", in: folder)
        try beta.hold()
        try await DurableRig.with([beta], in: folder) { rig in
            let workflow = try #require(try WorkflowFileParser.parse(yaml: Self.twoSteps, file: "noted.yaml").first)
            let store = WorkflowRunStore(database: rig.database)
            try await store.runStarted(WorkflowRunStart(id: "r-kill", workflow: workflow, document: Self.twoSteps, inputs: [:],
                                                        startedAt: .now))
            // What the stopped process journaled for the step before it went away.
            try await rig.engine.submit(DeliveryRequest(target: .slot(Recorder.slot), method: "record", payload: Array(#"{"n":1}"#.utf8),
                                                        idempotencyKey: "workflow/r-kill/0/1"))
            try await eventually("the step's delivery to be in flight") {
                try await rig.journal.list(state: .inFlight).count == 1
            }
            let unfinished = try #require(try store.unfinishedRuns().first)
            let resumed = Task { try await WorkflowRunner(host: rig.test.host, durable: rig.engine).resume(workflow, run: unfinished, journal: store) }
            try await Task.sleep(for: .milliseconds(200))
            #expect(try beta.lines().isEmpty)
            beta.release()
            let report = try await resumed.value
            #expect(report.succeeded, "\(report.failure ?? "")")
            #expect(try beta.lines() == [Recorder.Line(key: "workflow/r-kill/0/1", payload: #"{"n":1}"#),
                                          Recorder.Line(key: "", payload: #"{"answer":true}"#)])
            let recorded = try #require(try store.run(id: "r-kill"))
            #expect(recorded.state == .succeeded && recorded.resumes == 1 && recorded.stepsFinished == 2)
            #expect(try await rig.journal.list().count == 1, "the step was journaled again")
        }
    }

    /// The engine stopping (the host going down) ends the wait: the run reports it
    /// was interrupted and stays recorded as going, for the next start to resume.
    @Test func anEngineStopInterruptsTheRunAndLeavesItGoing() async throws {
        let folder = try TemporaryFolder("durable-stop")
        defer { folder.remove() }
        let beta = Recorder(provider: "beta", in: folder)
        try beta.hold()
        defer { beta.release() }
        let rig = try await DurableRig.start([beta], in: folder)
        let workflow = try #require(try WorkflowFileParser.parse(yaml: Self.twoSteps, file: "noted.yaml").first)
        let store = WorkflowRunStore(database: rig.database)
        let running = Task { try await WorkflowRunner(host: rig.test.host, durable: rig.engine).run(workflow, journal: store, document: Self.twoSteps) }
        try await eventually("the step's delivery to be in flight") {
            try await rig.journal.list(state: .inFlight).count == 1
        }
        await rig.engine.stop()
        let report = try await running.value
        #expect(report.interrupted && !report.succeeded)
        #expect(report.failure?.hasPrefix("durable delivery stopped before delivery ") == true, "\(report.failure ?? "")")
        #expect(report.failure?.hasSuffix("the run resumes at step 'noted' when the host starts again") == true, "\(report.failure ?? "")")
        #expect(report.steps.map(\.outcome) == [.notRun, .notRun])
        let recorded = try #require(try store.run(id: report.id))
        #expect(recorded.state == .running && recorded.stepsFinished == 0)
        beta.release()
        await rig.test.stop()
    }

    /// 10 000 steps, each reading the one before, run over a real plugin and are each recorded.
    @Test func tenThousandStepsRunAndAreEachRecorded() async throws {
        let folder = try TemporaryFolder("ten-thousand")
        defer { folder.remove() }
        try await TestHost.with { test in
            let tools = try await test.load("workflow_tools.c", as: "tools.so")
            #expect(tools.state == .loaded, "\(tools)")
            var yaml = "name: long\nsteps:\n  - {name: s0, tool: \"service:workers/worker_execute_flow\", params: {n: 0}}\n"
            for index in 1..<10_000 {
                yaml += "  - {name: s\(index), tool: \"service:workers/worker_execute_flow\", params: {n: \(index), previous: \"${steps.s\(index - 1).accepted.n}\"}}\n"
            }
            let workflow = try #require(try WorkflowFileParser.parse(yaml: yaml, file: "long.yaml").first)
            let store = WorkflowRunStore(database: try folder.open())
            let clock = ContinuousClock()
            let started = clock.now
            let report = try await WorkflowRunner(host: test.host).run(workflow, journal: store, document: yaml)
            print("10 000 recorded steps ran in \(clock.now - started)")
            #expect(report.succeeded, "\(report.failure ?? "")")
            #expect(report.steps.count == 10_000 && report.steps.allSatisfy { $0.outcome == .succeeded })
            #expect(report.steps.last?.output?["accepted"]?["previous"] == 9_998)
            let recorded = try #require(try store.run(id: report.id))
            #expect(recorded.state == .succeeded && recorded.stepsFinished == 10_000 && recorded.steps.count == 10_000)
        }
    }
}
