/// Why a workflow could not start: an input it needs is missing, a requirement
/// cannot be met, or a step's tool names nothing the host offers. Each problem
/// names the workflow, the place in the file and what was considered.
public struct WorkflowRunError: Error, Sendable, CustomStringConvertible {
    /// What kind of problem: `input` problems are the caller's (exit 2 in the CLI).
    public enum Kind: String, Sendable, Codable {
        case input, requirement, tool
        /// The run could not be recorded.
        case journal

        /// The API's error code for this kind.
        public var code: String {
            switch self {
            case .input: "invalid_input"
            case .requirement: "requirement_unmet"
            case .tool: "unknown_tool"
            case .journal: "internal"
            }
        }
    }

    public let kind: Kind
    public let problems: [String]

    public var description: String { problems.joined(separator: "\n") }
}
