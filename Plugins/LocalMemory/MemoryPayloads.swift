import PluginKit

/// The memory slot's payloads (`store`, `search`, `stats`), the same for every provider of
/// `adapter:memory`, with the checks decoding cannot make.
enum MemoryPayloads {
    static let maximumContentBytes = 65_536
    static let maximumTags = 32
    static let maximumTagBytes = 128
    static let maximumLimit = 100

    /// `store`: one memory.
    struct Store: Decodable {
        let content: String
        let tags: [String]?
        let project: String?

        func validated() throws(PluginError) -> Store {
            let size = content.utf8.count
            guard (1...MemoryPayloads.maximumContentBytes).contains(size) else {
                throw PluginError.invalidArgument("content: expected 1…\(MemoryPayloads.maximumContentBytes) bytes of text, found \(size)")
            }
            try MemoryPayloads.check(tags: tags)
            try MemoryPayloads.check(project: project)
            return self
        }
    }

    /// `search`: a full-text query (optional when tags are given), narrowed by project and tags.
    struct Search: Decodable {
        let query: String?
        let project: String?
        let tags: [String]?
        let limit: Int?

        func validated() throws(PluginError) -> Search {
            if query == nil && (tags ?? []).isEmpty {
                throw PluginError.invalidArgument("query: expected the text to search for (or tags to list by), found neither")
            }
            if let query, query.utf8.count > 4_096 || query.isEmpty {
                throw PluginError.invalidArgument("query: expected 1…4096 bytes of text, found \(query.utf8.count)")
            }
            if let limit, !(1...MemoryPayloads.maximumLimit).contains(limit) {
                throw PluginError.invalidArgument("limit: expected 1…\(MemoryPayloads.maximumLimit), found \(limit)")
            }
            try MemoryPayloads.check(tags: tags)
            try MemoryPayloads.check(project: project)
            return self
        }
    }

    /// `stats`: counts, for one project or all.
    struct Stats: Decodable {
        let project: String?
    }

    static func check(tags: [String]?) throws(PluginError) {
        guard let tags else { return }
        guard tags.count <= maximumTags else {
            throw PluginError.invalidArgument("tags: expected at most \(maximumTags) tags, found \(tags.count)")
        }
        for (index, tag) in tags.enumerated() {
            guard (1...maximumTagBytes).contains(tag.utf8.count) else {
                throw PluginError.invalidArgument("tags[\(index)]: expected 1…\(maximumTagBytes) bytes, found \(tag.utf8.count)")
            }
            // The slot's rule (session-buddy prints tags joined by ", "), so providers stay interchangeable.
            guard !tag.contains(", "), !tag.contains(where: \.isNewline) else {
                throw PluginError.invalidArgument("tags[\(index)]: expected no ', ' and no line break, found \"\(tag)\"")
            }
        }
    }

    /// The slot's rule (session-buddy's): `^[a-zA-Z0-9._-]{1,128}$`.
    static func check(project: String?) throws(PluginError) {
        guard let project else { return }
        let allowed = project.utf8.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x61 && $0 <= 0x7A) || $0 == 0x2E || $0 == 0x5F || $0 == 0x2D }
        guard (1...128).contains(project.utf8.count), allowed else {
            throw PluginError.invalidArgument("project: expected ^[a-zA-Z0-9._-]{1,128}$ (letters, digits, '.', '_', '-'), found \"\(project)\"")
        }
    }
}
