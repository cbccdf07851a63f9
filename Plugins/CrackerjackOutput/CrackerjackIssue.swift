/// One finding crackerjack printed for a failing hook: which tool, where (relative to the
/// project), the tool's code, its message, and the severity the plugin gives it.
package struct CrackerjackIssue: Sendable, Equatable, Codable {
    /// The hook that reported it (`ruff-check`, `refurb`, …).
    package let tool: String
    /// The file, relative to the project (absolute only when it lies outside the copy).
    package let file: String
    package let line: Int
    /// The column, when the tool printed one.
    package let column: Int?
    /// The tool's rule code (`F401`, `FURB118`, `unresolved-reference`), when it printed one.
    package let code: String?
    package let message: String
    package let severity: IssueSeverity

    package enum CodingKeys: String, CodingKey {
        case tool, file, line, column, code, message, severity
    }

    /// `column` and `code` are written as null when absent, so every issue has the same keys.
    package func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(tool, forKey: .tool)
        try container.encode(file, forKey: .file)
        try container.encode(line, forKey: .line)
        try container.encode(column, forKey: .column)
        try container.encode(code, forKey: .code)
        try container.encode(message, forKey: .message)
        try container.encode(severity, forKey: .severity)
    }
}
