/// One step: the tool it calls with its params, and how it is run.
public struct WorkflowStep: Sendable, Hashable {
    public let name: String
    public let tool: StepTool
    public let params: ParamTemplate
    /// Journaled like a durable invocation, under a key of the run and the step:
    /// a run resumed after the step was journaled waits for that delivery
    /// rather than calling again, and the answer kept in the journal is its output.
    public let durable: Bool
    /// The call's deadline; the host's default when nil.
    public let timeout: Duration?
    public let onError: StepErrorPolicy
    /// The step runs only when this reference names a truthy value.
    public let when: WorkflowReference?
    public let line: Int
    public let column: Int

    /// Every reference the step reads (its params and its `when`).
    public var references: [WorkflowReference] { params.references + (when.map { [$0] } ?? []) }
}

/// What a failed step does to its run.
public enum StepErrorPolicy: Sendable, Hashable, CustomStringConvertible {
    /// The run stops and fails (the default).
    case fail
    /// The run goes on; the step has no output.
    case `continue`
    /// The step is tried again, up to this many more times, then fails the run.
    case retry(Int)

    public var description: String {
        switch self {
        case .fail: "fail"
        case .continue: "continue"
        case .retry(let times): "retry: \(times)"
        }
    }
}
