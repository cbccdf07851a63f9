/// One place where a payload breaks its schema: the JSON pointer of the value
/// (`/to/0`; empty for the whole payload), what the schema expected there,
/// and what the payload has.
public struct SchemaViolation: Sendable, Hashable, Codable, CustomStringConvertible {
    /// JSON pointer (RFC 6901) into the payload; `""` is the payload itself.
    public let path: String
    /// What the schema asks for (`string`, `a string of at least 3 characters`).
    public let expected: String
    /// What the payload has (`number 3`, `nothing`).
    public let found: String

    /// A violation at `path` (a JSON pointer into the payload).
    public init(path: String, expected: String, found: String) {
        self.path = path
        self.expected = expected
        self.found = found
    }

    /// `/to/0: expected string, found number 3`.
    public var description: String { "\(path.isEmpty ? "(root)" : path): expected \(expected), found \(found)" }
}
