import CapHostCore

/// What a run did: each step's provider, duration and outcome, and its output.
public struct WorkflowReport: Sendable, Codable {
    public let workflow: String
    public let file: String
    public let succeeded: Bool
    /// The first failure that stopped the run, or nil.
    public let failure: String?
    public let startedAt: WallClockTime
    public let durationMilliseconds: Double
    public let steps: [StepReport]

    /// One step of a run.
    public struct StepReport: Sendable, Codable {
        public enum Outcome: String, Sendable, Codable {
            case succeeded, failed, skipped
            /// A step after the one that stopped the run.
            case notRun = "not_run"
        }

        public let name: String
        public let tool: String
        public let outcome: Outcome
        /// The provider that answered (`domain:category:provider`), or `host` for a registry tool.
        public let provider: String?
        public let attempts: Int
        public let durationMilliseconds: Double
        /// The response: JSON as JSON, any other bytes as text.
        public let output: JSONValue?
        public let error: String?
    }
}
