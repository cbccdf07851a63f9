import CapHostCore

/// Where a runner records a run as it goes: the start (with the document and
/// inputs it ran), each step as it finishes, and the end. The host's state
/// database keeps them (`WorkflowRunStore`), for `caphost runs` and `GET /v1/runs`.
public protocol WorkflowRunJournal: Sendable {
    func runStarted(_ run: WorkflowRunStart) async throws
    func stepFinished(run: String, index: Int, _ step: WorkflowReport.StepReport) async throws
    func runFinished(run: String, _ report: WorkflowReport) async throws
    /// A run a stopped host left going is being resumed.
    func runResumed(run: String) async throws
}

/// What a run started with.
public struct WorkflowRunStart: Sendable {
    public let id: String
    public let workflow: Workflow
    /// The file's text, so a recorded run can be read (and drawn) as it was.
    public let document: String
    public let inputs: [String: JSONValue]
    public let startedAt: WallClockTime

    public init(id: String, workflow: Workflow, document: String, inputs: [String: JSONValue], startedAt: WallClockTime) {
        self.id = id
        self.workflow = workflow
        self.document = document
        self.inputs = inputs
        self.startedAt = startedAt
    }
}
