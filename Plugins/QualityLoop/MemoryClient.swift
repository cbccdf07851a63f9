import Foundation
import PluginKit

/// The memory slot as the loop uses it, through the host (so the slot's winner answers, and a
/// failed-over slot answers from its standby): `store` and `search` of the memory contract.
struct MemoryClient: Sendable {
    let context: PluginContext
    let target: String

    /// One memory found by `search`.
    struct Found: Decodable, Sendable {
        let id: String?
        let tags: [String]?
        let createdAt: String?

        enum CodingKeys: String, CodingKey {
            case id, tags
            case createdAt = "created_at"
        }

        /// When it was stored, or nil when the provider does not say.
        var created: Date? {
            guard let createdAt else { return nil }
            let formatter = ISO8601DateFormatter()
            formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
            if let date = formatter.date(from: createdAt) { return date }
            formatter.formatOptions = [.withInternetDateTime]
            return formatter.date(from: createdAt)
        }
    }

    private struct Results: Decodable {
        let results: [Found]
    }

    private struct StoreRequest: Encodable {
        let content: String
        let tags: [String]
        let project: String
    }

    private struct SearchRequest: Encodable {
        let query: String
        let tags: [String]
        let project: String
        let limit: Int
    }

    func store(_ content: String, tags: [String], project: String) async throws(PluginError) {
        let payload = try Self.encode(StoreRequest(content: content, tags: tags, project: project))
        _ = try await context.call(target: target, method: "store", payload: payload)
    }

    /// Memories (at most 100) matching `query` and carrying every one of `tags` in `project`. The
    /// memory contract requires a query (session-buddy searches by it; the tags are then checked).
    func search(_ query: String, tags: [String], project: String) async throws(PluginError) -> [Found] {
        let payload = try Self.encode(SearchRequest(query: query, tags: tags, project: project, limit: 100))
        let answer = try await context.call(target: target, method: "search", payload: payload)
        do {
            return try JSONDecoder().decode(Results.self, from: Data(answer)).results
        } catch {
            throw PluginError.internal("\(target) search answered something other than {results: [...]}: \(String(decoding: answer.prefix(300), as: UTF8.self))")
        }
    }

    private static func encode(_ value: some Encodable) throws(PluginError) -> [UInt8] {
        do {
            return Array(try JSONEncoder().encode(value))
        } catch {
            throw PluginError.internal("cannot encode a memory request: \(error)")
        }
    }
}
