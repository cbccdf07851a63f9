import CapHostCore
@testable import CapHostState
import CapHostTestSupport
import CapHostWorkflows
import Foundation
import Testing

/// Workflow runs in a real SQLite file: recorded as they go, listed, read back,
/// and found for resuming when a new process finds one still going.
@Suite struct WorkflowRunStoreTests {
    @Test func aRunIsRecordedStepByStepAndAnUnfinishedOneIsFoundForResuming() async throws {
        let folder = try TemporaryFolder("runs")
        defer { folder.remove() }
        let path = folder.path + "/state.sqlite"
        let yaml = "name: two\nsteps:\n  - {name: a, tool: oneiric_list_adapters}\n  - {name: b, tool: oneiric_list_adapters}\n"
        let workflow = try #require(try WorkflowFileParser.parse(yaml: yaml, file: "two.yaml").first)
        let step = WorkflowReport.StepReport(name: "a", tool: "oneiric_list_adapters", outcome: .succeeded, provider: "host",
                                             attempts: 1, durationMilliseconds: 1.5, output: ["count": 0], error: nil)
        do {
            let store = WorkflowRunStore(database: try StateDatabase(path: path))
            try await store.runStarted(WorkflowRunStart(id: "r1", workflow: workflow, document: yaml, inputs: ["who": "ops"],
                                                        startedAt: WallClockTime(secondsSince1970: 1_800_000_000)))
            try await store.stepFinished(run: "r1", index: 0, step)
            let going = try #require(try store.run(id: "r1"))
            #expect(going.state == .running && going.stepsFinished == 1 && going.stepCount == 2)
            #expect(going.steps.map(\.name) == ["a"] && going.steps[0].output == ["count": 0])
            #expect(going.inputs == ["who": "ops"] && going.document == yaml)
        }
        // A new process (as after kill -9) finds the run still going, with what it needs to resume it.
        let store = WorkflowRunStore(database: try StateDatabase(path: path))
        let unfinished = try store.unfinishedRuns()
        #expect(unfinished.map(\.id) == ["r1"])
        #expect(unfinished.first?.document == yaml && unfinished.first?.inputs == ["who": "ops"] && unfinished.first?.resumes == 0)
        #expect(unfinished.first?.finishedSteps.keys.sorted() == [0] && unfinished.first?.finishedSteps[0]?.output == ["count": 0])
        #expect(unfinished.first?.startedAt == WallClockTime(secondsSince1970: 1_800_000_000))
        try await store.runResumed(run: "r1")
        #expect(try store.run(id: "r1")?.resumes == 1)
        // One that cannot be resumed is marked interrupted with the reason.
        #expect(try store.markInterrupted("r1", reason: "its file no longer parses"))
        #expect(try !store.markInterrupted("r1", reason: "again"))
        let interrupted = try #require(try store.run(id: "r1"))
        #expect(interrupted.state == .interrupted && interrupted.stepsFinished == 1)
        #expect(interrupted.failure == "its file no longer parses")
        #expect(try store.unfinishedRuns().isEmpty)
        #expect(try store.runs().map(\.id) == ["r1"])
        #expect(try store.run(id: "nope") == nil)
    }
}
