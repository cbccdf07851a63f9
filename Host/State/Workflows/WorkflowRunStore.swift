import CapHostCore
import CapHostWorkflows
import GRDB

/// Workflow runs in the state database: the journal a runner records into as
/// a run goes (`WorkflowRunJournal`), and what `caphost runs` and
/// `GET /v1/runs` read back. A run a previous process left `running` is
/// resumed when the host starts (`unfinishedRuns`), or marked `interrupted`
/// with the reason it cannot be (`markInterrupted`).
public final class WorkflowRunStore: WorkflowRunJournal {
    private let database: StateDatabase

    public init(database: StateDatabase) {
        self.database = database
    }

    public func runStarted(_ run: WorkflowRunStart) async throws {
        let inputs = JSONValue.object(run.inputs).serializedText
        try await database.write("record the start of workflow run \(run.id)") { db in
            try db.execute(sql: """
                INSERT INTO workflow_runs (id, workflow, file, document, inputs, step_count, state, started_at)
                VALUES (?, ?, ?, ?, ?, ?, 'running', ?)
                """, arguments: [run.id, run.workflow.name, run.workflow.file, run.document, inputs, run.workflow.steps.count,
                                 run.startedAt.secondsSince1970])
        }
    }

    public func stepFinished(run: String, index: Int, _ step: WorkflowReport.StepReport) async throws {
        let output = step.output?.serializedText
        try await database.write("record step \(step.name) of workflow run \(run)") { db in
            try db.execute(sql: """
                INSERT OR REPLACE INTO workflow_steps (run_id, position, name, tool, outcome, provider, attempts, duration_ms, output, error)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [run, index, step.name, step.tool, step.outcome.rawValue, step.provider, step.attempts,
                                 step.durationMilliseconds, output, step.error])
        }
    }

    public func runFinished(run: String, _ report: WorkflowReport) async throws {
        let finishedAt = report.startedAt.secondsSince1970 + report.durationMilliseconds / 1000
        try await database.write("record the end of workflow run \(run)") { db in
            for (index, step) in report.steps.enumerated() where step.outcome == .notRun {
                try db.execute(sql: """
                    INSERT OR IGNORE INTO workflow_steps (run_id, position, name, tool, outcome, attempts, duration_ms)
                    VALUES (?, ?, ?, ?, 'not_run', 0, 0)
                    """, arguments: [run, index, step.name, step.tool])
            }
            try db.execute(sql: "UPDATE workflow_runs SET state = ?, failure = ?, finished_at = ? WHERE id = ?",
                           arguments: [report.succeeded ? "succeeded" : "failed", report.failure, finishedAt, run])
        }
    }

    public func runResumed(run: String) async throws {
        try await database.write("record the resumption of workflow run \(run)") { db in
            try db.execute(sql: "UPDATE workflow_runs SET resumes = resumes + 1 WHERE id = ?", arguments: [run])
        }
    }

    /// Runs a previous process left `running`, oldest first, with their finished steps.
    public func unfinishedRuns() throws(StateError) -> [UnfinishedWorkflowRun] {
        try database.readNow("read unfinished workflow runs") { db in
            try Row.fetchAll(db, sql: "SELECT * FROM workflow_runs WHERE state = 'running' ORDER BY started_at, id").map { row in
                let id: String = row["id"]
                var finished: [Int: WorkflowReport.StepReport] = [:]
                for step in try Row.fetchAll(db, sql: "SELECT * FROM workflow_steps WHERE run_id = ? AND outcome <> 'not_run'",
                                             arguments: [id]) {
                    finished[step["position"]] = Self.step(from: step)
                }
                return UnfinishedWorkflowRun(id: id, workflow: row["workflow"], file: row["file"], document: row["document"],
                                             inputs: (try? JSONValue(parsing: row["inputs"] as String))?.objectValue ?? [:],
                                             startedAt: WallClockTime(secondsSince1970: row["started_at"]), resumes: row["resumes"],
                                             finishedSteps: finished)
            }
        }
    }

    /// Marks run `id`, still `running`, as `interrupted` because of `reason`
    /// (it cannot be resumed); false when it is not running.
    @discardableResult
    public func markInterrupted(_ id: String, reason: String) throws(StateError) -> Bool {
        try database.writeNow("mark workflow run \(id) interrupted") { db in
            try db.execute(sql: "UPDATE workflow_runs SET state = 'interrupted', failure = ?, finished_at = ? WHERE id = ? AND state = 'running'",
                           arguments: [reason, WallClockTime.now.secondsSince1970, id])
            return db.changesCount > 0
        }
    }

    /// The newest runs first, at most `limit`.
    public func runs(limit: Int = 50) throws(StateError) -> [RecordedWorkflowRun] {
        try database.readNow("read workflow runs") { db in
            try Row.fetchAll(db, sql: "SELECT * FROM workflow_runs ORDER BY started_at DESC, id DESC LIMIT ?", arguments: [limit])
                .map { try Self.run(from: $0, steps: [], in: db) }
        }
    }

    /// One run with its steps, or nil when there is none with that id.
    public func run(id: String) throws(StateError) -> RecordedWorkflowRun? {
        try database.readNow("read workflow run \(id)") { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM workflow_runs WHERE id = ?", arguments: [id]) else { return nil }
            let steps = try Row.fetchAll(db, sql: "SELECT * FROM workflow_steps WHERE run_id = ? ORDER BY position", arguments: [id])
                .map(Self.step(from:))
            return try Self.run(from: row, steps: steps, in: db)
        }
    }

    private static func step(from row: Row) -> WorkflowReport.StepReport {
        WorkflowReport.StepReport(name: row["name"], tool: row["tool"],
                                  outcome: WorkflowReport.StepReport.Outcome(rawValue: row["outcome"]) ?? .failed,
                                  provider: row["provider"], attempts: row["attempts"], durationMilliseconds: row["duration_ms"],
                                  output: (row["output"] as String?).flatMap { try? JSONValue(parsing: $0) }, error: row["error"])
    }

    private static func run(from row: Row, steps: [WorkflowReport.StepReport], in db: Database) throws -> RecordedWorkflowRun {
        let finished: Int = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM workflow_steps WHERE run_id = ? AND outcome <> 'not_run'",
                                             arguments: [row["id"] as String]) ?? 0
        let startedAt: Double = row["started_at"]
        let finishedAt: Double? = row["finished_at"]
        return RecordedWorkflowRun(id: row["id"], workflow: row["workflow"], file: row["file"],
                                   state: RecordedWorkflowRun.State(rawValue: row["state"]) ?? .failed, failure: row["failure"],
                                   startedAt: WallClockTime(secondsSince1970: startedAt),
                                   durationMilliseconds: finishedAt.map { ($0 - startedAt) * 1000 },
                                   stepCount: row["step_count"], stepsFinished: finished, resumes: row["resumes"],
                                   inputs: (try? JSONValue(parsing: row["inputs"] as String)) ?? .object([:]),
                                   document: row["document"], steps: steps)
    }
}

/// A recorded workflow run: what it ran, how far it got, and (for one run) its steps.
public struct RecordedWorkflowRun: Sendable, Codable {
    public enum State: String, Sendable, Codable {
        case running, succeeded, failed, interrupted
    }

    public let id: String
    public let workflow: String
    public let file: String
    public let state: State
    public let failure: String?
    public let startedAt: WallClockTime
    /// Nil while the run goes on.
    public let durationMilliseconds: Double?
    public let stepCount: Int
    /// Steps that ran to an outcome (succeeded, failed or skipped).
    public let stepsFinished: Int
    /// How often the host resumed it after a stop left it going.
    public let resumes: Int
    public let inputs: JSONValue
    /// The workflow file's text as it ran.
    public let document: String
    /// Empty in a list of runs.
    public let steps: [WorkflowReport.StepReport]
}
