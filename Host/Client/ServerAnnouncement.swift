import Foundation

/// `<state>/server.json`, written by a running `caphost serve` and removed on a
/// clean shutdown: where its HTTP, gRPC and MCP surfaces listen.
public struct ServerAnnouncement: Sendable, Hashable, Codable {
    /// The HTTP admin API's base URL.
    public let url: String
    /// `host:port` of the gRPC registry, when served.
    public let grpc: String?
    /// The MCP endpoint, when served.
    public let mcp: String?
    /// The server's process id.
    public let pid: Int32?
    /// When it started (seconds since 1970).
    public let startedAt: Double?

    /// Reads `file`; nil when it does not exist. A file that exists but is not a
    /// server announcement is an error naming the file.
    public static func read(_ file: String) throws(HostClientError) -> ServerAnnouncement? {
        guard FileManager.default.fileExists(atPath: file) else { return nil }
        guard let data = FileManager.default.contents(atPath: file) else {
            throw HostClientError(kind: .invalidEndpoint, code: "unreadable_server_file",
                message: "\(file) exists but cannot be read (it is mode 0600: run as the user that runs the host, or pass --url / CAPHOST_URL)")
        }
        do {
            return try JSONDecoder().decode(ServerAnnouncement.self, from: data)
        } catch {
            throw HostClientError(kind: .invalidEndpoint, code: "invalid_server_file",
                message: "\(file) is not a caphost server announcement (expected JSON with a \"url\"); remove it if no host runs, or pass --url")
        }
    }
}
