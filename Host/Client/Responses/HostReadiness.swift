/// The answer of `GET /readyz` when the host is ready.
public struct HostReadiness: Sendable, Hashable, Codable {
    /// `ready`.
    public let status: String
    /// Plugins loaded.
    public let plugins: Int
    /// Capabilities registered.
    public let capabilities: Int
}
