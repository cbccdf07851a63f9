import CapHostCore

/// What a `tools/call` answers: text content, the same facts as
/// `structuredContent` when they are a JSON object, and `isError` for a tool
/// that ran and failed (the model sees the message and can correct itself).
struct MCPToolResult: Sendable {
    var text: String
    var structured: JSONValue?
    var isError: Bool
    var meta: [String: JSONValue] = [:]

    /// A successful result whose text is the object's JSON.
    static func success(_ object: JSONValue) -> MCPToolResult {
        MCPToolResult(text: object.serializedText, structured: object.objectValue == nil ? nil : object, isError: false)
    }

    /// A failed call: `code: message` as text, `{code, message, …extra}` as structured content.
    static func failure(code: String, message: String, extra: [String: JSONValue] = [:]) -> MCPToolResult {
        var members = extra
        members["code"] = .string(code)
        members["message"] = .string(message)
        return MCPToolResult(text: "\(code): \(message)", structured: .object(members), isError: true)
    }

    static func failure(_ error: InvocationError) -> MCPToolResult {
        failure(code: error.code.rawValue, message: error.message,
                extra: error.provider.map { ["provider": .string($0.description)] } ?? [:])
    }

    static func failure(_ error: LifecycleError) -> MCPToolResult {
        failure(code: error.code.rawValue, message: error.message)
    }

    /// A payload that broke its schema: every violation with its path, expected and found.
    static func failure(_ error: SchemaValidationError, tool: String) -> MCPToolResult {
        switch error {
        case .violations(let violations):
            let listed: [JSONValue] = violations.map {
                ["path": .string($0.path), "expected": .string($0.expected), "found": .string($0.found)]
            }
            var extra: [String: JSONValue] = ["violations": .array(listed)]
            if let first = violations.first {
                extra["path"] = .string(first.path)
                extra["expected"] = .string(first.expected)
                extra["found"] = .string(first.found)
            }
            return failure(code: error.code, message: "arguments of \(tool) do not match its input schema: \(error)", extra: extra)
        case .invalidJSON, .invalidSchema:
            return failure(code: error.code, message: "\(tool) cannot be called: its input schema is unusable: \(error)")
        }
    }

    var json: JSONValue {
        var members: [String: JSONValue] = [
            "content": [["type": "text", "text": .string(text)]],
            "isError": .bool(isError),
        ]
        if let structured { members["structuredContent"] = structured }
        if !meta.isEmpty { members["_meta"] = .object(meta) }
        return .object(members)
    }
}
