extension CapHostSettings {
    /// MCP over streamable HTTP at `/mcp` (`mcp:`).
    public struct MCP: Sendable, Hashable {
        /// Serve `/mcp` (`enabled`, default true).
        public var enabled = true

        /// Defaults.
        public init() {}
    }
}
