import CrackerjackOutput

/// What `run` answers.
struct RunReport: Sendable, Encodable {
    /// The project as the payload named it, and its real path.
    let project: String
    let projectResolved: String
    let mode: String
    let tool: String?
    /// True when crackerjack exited 0 within the time limit.
    let passed: Bool
    /// crackerjack's exit status (0 passed, 1 a hook failed, 130 interrupted); nil when a
    /// signal ended it.
    let exitStatus: Int32?
    /// The signal that ended it (`SIGTERM`, `SIGKILL`), if one did.
    let signal: String?
    let timedOut: Bool
    /// The process group crackerjack ran as (its leader's pid); no process of it is left when
    /// the answer is sent.
    let processGroup: Int32
    let timeoutSeconds: Double
    let durationSeconds: Double
    /// Every hook's last outcome, and the names of those that failed.
    let hooks: [HookOutcome]
    let failedHooks: [String]
    let issues: [CrackerjackIssue]
    /// Issues by severity: `{"high": n, "medium": n, "low": n}`.
    let issueCounts: [String: Int]
    /// Lines under failing hooks that name no file (why a hook failed without an issue).
    let messages: [HookMessage]
    /// crackerjack's closing line (`Workflow failed: …`).
    let summary: String?
    let output: OutputFacts
    let copy: ProjectCopy.Summary
    /// Whether the private run folder is gone.
    let workDirectoryRemoved: Bool

    /// Sizes of the two streams, whether the cap dropped bytes, and their ends.
    struct OutputFacts: Sendable, Encodable {
        let stdoutBytes: Int
        let stderrBytes: Int
        let stdoutTruncated: Bool
        let stderrTruncated: Bool
        let capBytes: Int
        /// The last 2 000 characters of stderr (and of stdout when no issue was parsed from it).
        let stderrTail: String
        let stdoutTail: String?

        enum CodingKeys: String, CodingKey {
            case stdoutBytes = "stdout_bytes", stderrBytes = "stderr_bytes", stdoutTruncated = "stdout_truncated"
            case stderrTruncated = "stderr_truncated", capBytes = "cap_bytes", stderrTail = "stderr_tail", stdoutTail = "stdout_tail"
        }
    }

    enum CodingKeys: String, CodingKey {
        case project, mode, tool, passed, signal, hooks, issues, messages, summary, output, copy
        case projectResolved = "project_resolved", exitStatus = "exit_status", timedOut = "timed_out", processGroup = "process_group"
        case timeoutSeconds = "timeout_seconds", durationSeconds = "duration_seconds", failedHooks = "failed_hooks"
        case issueCounts = "issue_counts", workDirectoryRemoved = "work_directory_removed"
    }

    /// Optional fields are written as null, so every answer has the same keys.
    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(project, forKey: .project)
        try container.encode(projectResolved, forKey: .projectResolved)
        try container.encode(mode, forKey: .mode)
        try container.encode(tool, forKey: .tool)
        try container.encode(passed, forKey: .passed)
        try container.encode(exitStatus, forKey: .exitStatus)
        try container.encode(signal, forKey: .signal)
        try container.encode(timedOut, forKey: .timedOut)
        try container.encode(processGroup, forKey: .processGroup)
        try container.encode(timeoutSeconds, forKey: .timeoutSeconds)
        try container.encode(durationSeconds, forKey: .durationSeconds)
        try container.encode(hooks, forKey: .hooks)
        try container.encode(failedHooks, forKey: .failedHooks)
        try container.encode(issues, forKey: .issues)
        try container.encode(issueCounts, forKey: .issueCounts)
        try container.encode(messages, forKey: .messages)
        try container.encode(summary, forKey: .summary)
        try container.encode(output, forKey: .output)
        try container.encode(copy, forKey: .copy)
        try container.encode(workDirectoryRemoved, forKey: .workDirectoryRemoved)
    }
}

extension Duration {
    /// The duration in seconds, as a Double.
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
