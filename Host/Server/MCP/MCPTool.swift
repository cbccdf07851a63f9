import CapHostCore

/// One tool as `tools/list` shows it and as `tools/call` dispatches it.
struct MCPTool: Sendable {
    /// What a call reaches.
    enum Target: Sendable, Hashable {
        /// A capability method, called on the slot's current winner. With
        /// `wrapsPayload`, the method's payload is not a JSON object, so the
        /// tool takes it as `arguments.payload`.
        case capability(CapabilityMethodKey, wrapsPayload: Bool)
        /// A host tool (`caphost_*`, `oneiric_*`).
        case host(MCPHostTool)
    }

    let name: String
    let title: String
    let description: String
    /// JSON Schema with `"type": "object"` at the root (MCP requires it).
    let inputSchema: JSONValue
    /// `inputSchema` serialized: what arguments are validated against (and the validator's cache key).
    let inputSchemaText: String
    let target: Target

    init(name: String, title: String, description: String, inputSchema: JSONValue, target: Target) {
        self.name = name
        self.title = title
        self.description = description
        self.inputSchema = inputSchema
        self.inputSchemaText = inputSchema.serializedText
        self.target = target
    }

    /// The `tools/list` entry.
    var listing: JSONValue {
        ["name": .string(name), "title": .string(title), "description": .string(description), "inputSchema": inputSchema]
    }
}
