/// Why bytes are not JSON, and where: line and column (1-based; the column
/// counts characters) and the byte offset (0-based).
public struct JSONParseError: Error, Sendable, Hashable, CustomStringConvertible {
    public let offset: Int
    public let line: Int
    public let column: Int
    /// What was expected and what was found (`expected ':' after an object key, found '1'`).
    public let reason: String

    /// An error at `offset` (0-based), `line` and `column` (1-based).
    public init(offset: Int, line: Int, column: Int, reason: String) {
        self.offset = offset
        self.line = line
        self.column = column
        self.reason = reason
    }

    public var description: String {
        "invalid JSON at line \(line), column \(column) (byte offset \(offset)): \(reason)"
    }
}
