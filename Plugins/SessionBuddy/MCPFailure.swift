import PluginKit

/// Why an exchange with session-buddy's MCP endpoint failed, before it becomes the call's
/// ``PluginError``: the split decides what is retried and what the slot fails over on.
enum MCPFailure: Error, Sendable {
    /// No connection, refused, reset, or no answer in time: session-buddy is down or stuck.
    /// `requestSent` says whether the whole request had gone out (a store may then have happened).
    case unreachable(String, requestSent: Bool)
    /// The server no longer knows the session (it restarted): initialise again.
    case sessionLost(String)
    /// The call's own deadline passed.
    case deadline(String)
    /// The server answered with an HTTP or JSON-RPC error, or a tool error.
    case rejected(String)
    /// An answer the plugin cannot read.
    case malformed(String)
    /// The instance is shutting down.
    case stopped

    /// The error the call fails with; `url` names the server for the operator.
    func pluginError(url: String) -> PluginError {
        switch self {
        case .unreachable(let why, _): .unavailable("session-buddy at \(url) is unavailable: \(why)")
        case .sessionLost(let why): .unavailable("session-buddy at \(url) lost the MCP session twice in a row: \(why)")
        case .deadline(let why): .timeout("session-buddy at \(url): \(why)")
        case .rejected(let why): .unavailable("session-buddy at \(url) refused the request: \(why)")
        case .malformed(let why): .internal("session-buddy at \(url) answered something the plugin cannot read: \(why)")
        case .stopped: .unavailable("the session-buddy plugin instance is shutting down")
        }
    }

    /// The `outcome` label of the request metric.
    var outcome: String {
        switch self {
        case .unreachable: "unreachable"
        case .sessionLost: "session_lost"
        case .deadline: "timeout"
        case .rejected: "rejected"
        case .malformed: "malformed"
        case .stopped: "stopped"
        }
    }

    /// The first bytes of a body, quoted, for messages.
    static func quote(_ bytes: [UInt8]) -> String {
        let text = String(decoding: bytes.prefix(400), as: UTF8.self)
        return "\"" + text.replacingOccurrences(of: "\n", with: "\\n").replacingOccurrences(of: "\r", with: "\\r")
            + (bytes.count > 400 ? "…" : "") + "\""
    }
}
