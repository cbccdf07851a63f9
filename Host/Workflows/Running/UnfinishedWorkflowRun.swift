import CapHostCore

/// A recorded run that a stopped host left going: what `WorkflowRunner.resume`
/// needs to go on from its first unfinished step.
public struct UnfinishedWorkflowRun: Sendable {
    public let id: String
    /// The workflow's name within `document`.
    public let workflow: String
    public let file: String
    /// The workflow file's text as the run started it.
    public let document: String
    public let inputs: [String: JSONValue]
    public let startedAt: WallClockTime
    /// How often it was resumed before.
    public let resumes: Int
    /// The steps that finished (succeeded, failed or skipped), by position.
    public let finishedSteps: [Int: WorkflowReport.StepReport]

    public init(id: String, workflow: String, file: String, document: String, inputs: [String: JSONValue], startedAt: WallClockTime,
                resumes: Int, finishedSteps: [Int: WorkflowReport.StepReport]) {
        self.id = id
        self.workflow = workflow
        self.file = file
        self.document = document
        self.inputs = inputs
        self.startedAt = startedAt
        self.resumes = resumes
        self.finishedSteps = finishedSteps
    }
}
