/// Why a schema text cannot be used: where in the schema (a JSON pointer)
/// and what is wrong there.
public struct SchemaDefinitionError: Error, Sendable, Hashable, CustomStringConvertible {
    /// JSON pointer into the schema document.
    public let path: String
    public let reason: String

    /// A problem at `path` (a JSON pointer into the schema).
    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }

    public var description: String { "invalid schema at \(path.isEmpty ? "(root)" : path): \(reason)" }
}
