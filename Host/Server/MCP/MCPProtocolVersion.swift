/// The MCP protocol revisions this server speaks, and the negotiation rule.
public enum MCPProtocolVersion {
    /// Newest first. Everything this server uses (tools, list_changed,
    /// structuredContent, streamable HTTP) means the same in all three;
    /// 2025-03-26 is the only one with JSON-RPC batches.
    public static let supported = ["2025-11-25", "2025-06-18", "2025-03-26"]

    /// The newest supported revision.
    public static var newest: String { supported[0] }

    /// What the server answers to a client's `initialize`: the client's own
    /// revision when supported, else the newest (the client then decides
    /// whether it can continue).
    public static func negotiate(_ requested: String) -> String {
        supported.contains(requested) ? requested : newest
    }

    /// Whether a session on `version` receives JSON-RPC batches (added in
    /// 2025-03-26, removed again in 2025-06-18).
    static func allowsBatches(_ version: String) -> Bool { version == "2025-03-26" }

    /// The revision assumed for an HTTP request without `MCP-Protocol-Version`
    /// (what the 2025-06-18 transport section prescribes).
    static let assumedWithoutHeader = "2025-03-26"
}
