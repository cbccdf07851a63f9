/// A hook's outcome as crackerjack reported it in its last attempt.
package struct HookOutcome: Sendable, Equatable, Codable {
    package let name: String
    /// `fast` or `comprehensive`.
    package let phase: String
    /// `passed`, `failed`, or crackerjack's own word in lower case (`timeout`, `error`).
    package let status: String
    /// Seconds, from the results table.
    package let durationSeconds: Double?
    /// The issue count crackerjack printed (`issues=N`); may differ from the issues parsed.
    package let issuesReported: Int?

    package enum CodingKeys: String, CodingKey {
        case name, phase, status
        case durationSeconds = "duration_seconds", issuesReported = "issues_reported"
    }
}
