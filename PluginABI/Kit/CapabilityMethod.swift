/// One callable method of a ``Capability``: what becomes a `cap_method` in the descriptor.
///
/// The method's position in ``Capability/methods`` is its index on the wire; the kit turns the
/// index back into ``name`` for ``PluginRequest/method``.
public struct CapabilityMethod: Sendable, Hashable {
    /// Method name, `^[a-z0-9][a-z0-9_.-]*$`, at most 64 bytes, unique within its capability.
    public var name: String
    /// One line saying what it does; shown as the MCP tool description.
    public var description: String
    /// JSON Schema (draft 2020-12) of the request payload; `nil` accepts anything.
    public var inputSchema: String?

    /// Declares a method.
    public init(name: String, description: String, inputSchema: String? = nil) {
        self.name = name
        self.description = description
        self.inputSchema = inputSchema
    }
}
