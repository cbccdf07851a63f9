/// Why a payload was refused at the edge.
public enum SchemaValidationError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The payload is not JSON (line, column and byte offset named).
    case invalidJSON(JSONParseError)
    /// The payload is JSON but breaks the schema (at most the validator's limit, never empty).
    case violations([SchemaViolation])
    /// The schema itself cannot be used (the plugin's fault, not the caller's).
    case invalidSchema(SchemaDefinitionError)

    /// The stable error code the HTTP API and MCP report:
    /// `invalid_json`, `schema_violation` or `invalid_schema`.
    public var code: String {
        switch self {
        case .invalidJSON: "invalid_json"
        case .violations: "schema_violation"
        case .invalidSchema: "invalid_schema"
        }
    }

    public var description: String {
        switch self {
        case .invalidJSON(let error): error.description
        case .violations(let violations): violations.map(\.description).joined(separator: "; ")
        case .invalidSchema(let error): error.description
        }
    }
}
