import PluginKit

/// The local memory's config section (`plugins: local-memory:` in caphost.yaml, or the JSON
/// file beside the plugin).
struct LocalMemoryConfiguration: Decodable, Sendable {
    /// The SQLite file; created (with its folder) when missing.
    var path: String

    enum CodingKeys: String, CodingKey {
        case path
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        path = try container.decodeIfPresent(String.self, forKey: .path) ?? ".caphost/memory.sqlite"
    }

    /// Checks what decoding cannot: a usable file path.
    func validated() throws(PluginError) -> LocalMemoryConfiguration {
        guard !path.isEmpty, !path.hasSuffix("/") else {
            throw PluginError.invalidArgument("config.path: expected the path of a SQLite file, found \"\(path)\"")
        }
        return self
    }
}
