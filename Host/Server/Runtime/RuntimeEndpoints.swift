import Foundation

/// Where a running host answers; written to `<state>/server.json` (mode 0600)
/// so the CLI finds it, removed on a clean shutdown.
public struct RuntimeEndpoints: Sendable, Codable, Hashable {
    /// The admin API base URL (`http://127.0.0.1:7070`).
    public var url: String
    /// The gRPC AdapterRegistry address (`127.0.0.1:8679`), when served.
    public var grpc: String?
    /// The MCP streamable-HTTP endpoint, when served.
    public var mcp: String?
    public var pid: Int32
    public var startedAt: Double

    public static let fileName = "server.json"

    func write(stateDirectory: String) throws {
        let path = (stateDirectory as NSString).appendingPathComponent(Self.fileName)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        let temporary = path + ".tmp"
        guard FileManager.default.createFile(atPath: temporary, contents: try encoder.encode(self),
                                             attributes: [.posixPermissions: 0o600]),
              rename(temporary, path) == 0 else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path])
        }
    }

    static func remove(stateDirectory: String) {
        try? FileManager.default.removeItem(atPath: (stateDirectory as NSString).appendingPathComponent(fileName))
    }
}
