import CapHostConfig
import CapHostCore
import CapHostState
import CapHostWorkflows
import Foundation
import Logging
import Synchronization

/// Resumes, once the host's first scan has loaded the plugins, the workflow
/// runs a stopped host left going (a `kill -9`, a crash, a stop during a run):
/// each goes on from its first unfinished step with the finished steps'
/// outputs in scope, and a durable step journaled before the stop is waited
/// for rather than called again.
///
/// A run that cannot be resumed — its file no longer parses, a requirement is
/// unmet, or it was already resumed `resumeLimit` times (each time the host
/// stopped during it) — is marked `interrupted` with the reason.
final class WorkflowRunResumer: Sendable {
    /// How often one run is resumed before it is given up as interrupted.
    static let resumeLimit = 3

    let runs: WorkflowRunStore
    let runner: WorkflowRunner
    let logger: Logger
    private let going = Mutex<[Task<Void, Never>]>([])

    init(runs: WorkflowRunStore, runner: WorkflowRunner, logger: Logger) {
        self.runs = runs
        self.runner = runner
        self.logger = logger
    }

    /// Starts resuming every unfinished run, each in its own task.
    func start() {
        let unfinished: [UnfinishedWorkflowRun]
        do throws(StateError) {
            unfinished = try runs.unfinishedRuns()
        } catch {
            logger.error("workflow runs left going by the previous stop could not be read: \(error)")
            return
        }
        for run in unfinished {
            guard let workflow = resumable(run) else { continue }
            logger.notice("workflow run \(run.id) ('\(run.workflow)') was left going by the previous stop; resuming it after \(run.finishedSteps.count) of \(workflow.steps.count) finished step(s)")
            let task = Task { [self] in await resume(run, workflow) }
            going.withLock { $0.append(task) }
        }
    }

    /// Waits for the resumed runs to end (or, while the host stops, to stop before their next step).
    func waitForRuns() async {
        for task in going.withLock({ $0 }) { await task.value }
    }

    /// The workflow `run` ran, or nil (and the run marked interrupted) when it cannot go on.
    private func resumable(_ run: UnfinishedWorkflowRun) -> Workflow? {
        guard run.resumes < Self.resumeLimit else {
            giveUp(run, "the host stopped during this run \(run.resumes + 1) times (it was resumed \(run.resumes) times); it is not resumed again — caphost runs show \(run.id) tells how far it got")
            return nil
        }
        let workflows: [Workflow]
        do throws(ConfigFileError) {
            workflows = try WorkflowFileParser.parse(data: Data(run.document.utf8), file: run.file)
        } catch {
            giveUp(run, "the host stopped during the run, and its recorded file no longer reads as a workflow: \(error)")
            return nil
        }
        guard let workflow = workflows.first(where: { $0.name == run.workflow }) else {
            giveUp(run, "the host stopped during the run, and its recorded file no longer holds workflow '\(run.workflow)'")
            return nil
        }
        return workflow
    }

    private func resume(_ run: UnfinishedWorkflowRun, _ workflow: Workflow) async {
        do throws(WorkflowRunError) {
            let report = try await runner.resume(workflow, run: run, journal: runs)
            if report.interrupted {
                logger.notice("resumed workflow run \(run.id) stopped again with the host: \(report.failure ?? "")")
            } else {
                logger.notice("resumed workflow run \(run.id) \(report.succeeded ? "succeeded" : "failed: \(report.failure ?? "")")")
            }
        } catch {
            giveUp(run, "the host stopped during the run, and it cannot be resumed: \(error)")
        }
    }

    private func giveUp(_ run: UnfinishedWorkflowRun, _ reason: String) {
        logger.warning("workflow run \(run.id) ('\(run.workflow)'): \(reason)")
        do throws(StateError) {
            try runs.markInterrupted(run.id, reason: reason)
        } catch {
            logger.error("workflow run \(run.id) could not be marked interrupted: \(error)")
        }
    }
}
