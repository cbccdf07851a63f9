import CapHostCore

/// What a run did: each step's provider, duration and outcome, and its output.
public struct WorkflowReport: Sendable, Codable {
    /// The run's id (what `caphost runs show` takes); empty for a run nobody recorded.
    public let id: String
    public let workflow: String
    public let file: String
    public let succeeded: Bool
    /// The first failure that stopped the run, or nil.
    public let failure: String?
    /// The host stopped during the run: it is recorded as still going and is
    /// resumed from its first unfinished step when the host starts again.
    public let interrupted: Bool
    public let startedAt: WallClockTime
    public let durationMilliseconds: Double
    public let steps: [StepReport]
    /// Why the run's end could not be recorded (the record then says `running`
    /// until the next host start marks it `interrupted`); nil when it was.
    public var recordingProblem: String?

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

        public init(name: String, tool: String, outcome: Outcome, provider: String?, attempts: Int,
                    durationMilliseconds: Double, output: JSONValue?, error: String?) {
            self.name = name
            self.tool = tool
            self.outcome = outcome
            self.provider = provider
            self.attempts = attempts
            self.durationMilliseconds = durationMilliseconds
            self.output = output
            self.error = error
        }
    }
}
