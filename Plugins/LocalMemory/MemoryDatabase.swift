import Foundation
import GRDB
import PluginKit

/// The memories in one SQLite file: a table of entries, their tags, and an FTS5 index of
/// content, tags and project searched by bm25 rank. Writes are one transaction each.
final class MemoryDatabase: Sendable {
    /// One stored memory as the slot's methods answer it.
    struct Entry: Encodable, Sendable {
        let id: String
        let content: String
        let tags: [String]
        let project: String?
        let createdAt: String
        /// bm25 relevance (higher is better); nil when listed by tags alone.
        let score: Double?

        enum CodingKeys: String, CodingKey {
            case id, content, tags, project, score
            case createdAt = "created_at"
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(id, forKey: .id)
            try container.encode(content, forKey: .content)
            try container.encode(tags, forKey: .tags)
            try container.encode(project, forKey: .project)
            try container.encode(createdAt, forKey: .createdAt)
            try container.encode(score, forKey: .score)
        }
    }

    /// What `store` did: the id, and whether the idempotency key had stored it before.
    struct Stored: Sendable {
        let id: String
        let repeated: Bool
    }

    private let queue: DatabaseQueue
    let path: String

    /// Opens (or creates) the file at `path` and its schema.
    init(path: String) throws(PluginError) {
        self.path = path
        do {
            let folder = (path as NSString).deletingLastPathComponent
            if !folder.isEmpty { try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) }
            var configuration = Configuration()
            configuration.busyMode = .timeout(5)
            queue = try DatabaseQueue(path: path, configuration: configuration)
            try Self.migrator.migrate(queue)
        } catch {
            throw PluginError.unavailable("cannot open the memory database \(path): \(error)")
        }
    }

    private static let migrator: DatabaseMigrator = {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: memories, tags, full-text index") { db in
            try db.execute(sql: """
                CREATE TABLE memories (
                    seq INTEGER PRIMARY KEY AUTOINCREMENT,
                    id TEXT NOT NULL UNIQUE,
                    idempotency_key TEXT UNIQUE,
                    content TEXT NOT NULL,
                    tags TEXT NOT NULL,
                    project TEXT,
                    created_at REAL NOT NULL
                );
                CREATE INDEX memories_by_project ON memories(project, seq);
                CREATE TABLE memory_tags (
                    tag TEXT NOT NULL,
                    seq INTEGER NOT NULL REFERENCES memories(seq) ON DELETE CASCADE,
                    PRIMARY KEY (tag, seq)
                ) WITHOUT ROWID;
                CREATE VIRTUAL TABLE memories_fts USING fts5(content, tags, project, tokenize = 'unicode61');
                """)
        }
        return migrator
    }()

    /// Stores one memory; a repeated idempotency key returns the memory it stored.
    func store(_ memory: MemoryPayloads.Store, key: String?) async throws -> Stored {
        let tags = Array(Set(memory.tags ?? [])).sorted()
        return try await queue.write { db in
            if let key, let id = try String.fetchOne(db, sql: "SELECT id FROM memories WHERE idempotency_key = ?", arguments: [key]) {
                return Stored(id: id, repeated: true)
            }
            let id = UUID().uuidString.lowercased()
            let tagText = String(decoding: try JSONEncoder().encode(tags), as: UTF8.self)
            try db.execute(sql: "INSERT INTO memories (id, idempotency_key, content, tags, project, created_at) VALUES (?, ?, ?, ?, ?, ?)",
                           arguments: [id, key, memory.content, tagText, memory.project, Date().timeIntervalSince1970])
            let seq = db.lastInsertedRowID
            for tag in tags {
                try db.execute(sql: "INSERT INTO memory_tags (tag, seq) VALUES (?, ?)", arguments: [tag, seq])
            }
            try db.execute(sql: "INSERT INTO memories_fts (rowid, content, tags, project) VALUES (?, ?, ?, ?)",
                           arguments: [seq, memory.content, tags.joined(separator: " "), memory.project ?? ""])
            return Stored(id: id, repeated: false)
        }
    }

    /// The best `limit` matches (by bm25) of `search`, or the newest ones with its tags when it
    /// has no query; and how many match in all.
    func search(_ search: MemoryPayloads.Search) async throws -> (entries: [Entry], total: Int) {
        var filters: [String] = []
        var arguments: [any DatabaseValueConvertible] = []
        if let query = search.query {
            guard let pattern = FTS5Pattern(matchingAllTokensIn: query) else {
                throw PluginError.invalidArgument("query: \"\(query)\" has no word to search for")
            }
            filters.append("memories_fts MATCH ?")
            arguments.append(pattern)
        }
        if let project = search.project {
            filters.append("m.project = ?")
            arguments.append(project)
        }
        let tags = Array(Set(search.tags ?? []))
        if !tags.isEmpty {
            filters.append("(SELECT COUNT(*) FROM memory_tags t WHERE t.seq = m.seq AND t.tag IN (\(tags.map { _ in "?" }.joined(separator: ", ")))) = ?")
            arguments += tags.map { $0 as any DatabaseValueConvertible } + [tags.count]
        }
        let ranked = search.query != nil
        let from = ranked ? "memories_fts JOIN memories m ON m.seq = memories_fts.rowid" : "memories m"
        let condition = filters.isEmpty ? "" : "WHERE " + filters.joined(separator: " AND ")
        let limit = search.limit ?? 10
        let statementArguments = StatementArguments(arguments.map { $0.databaseValue })
        return try await queue.read { db in
            let rows = try Row.fetchAll(db, sql: """
                SELECT m.id, m.content, m.tags, m.project, m.created_at\(ranked ? ", bm25(memories_fts) AS rank" : "")
                FROM \(from) \(condition)
                ORDER BY \(ranked ? "rank, m.seq DESC" : "m.seq DESC") LIMIT \(limit)
                """, arguments: statementArguments)
            let total = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \(from) \(condition)", arguments: statementArguments) ?? 0
            return (rows.map { row in
                Entry(id: row["id"], content: row["content"], tags: Self.tags(from: row["tags"]), project: row["project"],
                      createdAt: Self.timestamp(row["created_at"]), score: ranked ? -(row["rank"] as Double) : nil)
            }, total)
        }
    }

    /// What `stats` answers.
    struct Stats: Encodable, Sendable {
        let total: Int
        /// Memories per project (those stored without one are `withoutProject`).
        let projects: [String: Int]
        let withoutProject: Int
        /// The 50 most used tags and how often each is used.
        let tags: [String: Int]
        let oldest: String?
        let newest: String?

        enum CodingKeys: String, CodingKey {
            case total, projects, tags, oldest, newest
            case withoutProject = "without_project"
        }
    }

    /// Counts: all memories (or one project's), by project, the most used tags, oldest and newest.
    func stats(project: String?) async throws -> Stats {
        try await queue.read { db in
            let scope = project == nil ? "" : "WHERE project = ?"
            let arguments: StatementArguments = project.map { [$0] } ?? []
            let total = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM memories \(scope)", arguments: arguments) ?? 0
            var projects: [String: Int] = [:]
            var withoutProject = 0
            for row in try Row.fetchAll(db, sql: "SELECT project, COUNT(*) AS n FROM memories \(scope) GROUP BY project", arguments: arguments) {
                if let name = row["project"] as String? { projects[name] = row["n"] } else { withoutProject = row["n"] }
            }
            var tags: [String: Int] = [:]
            let tagScope = project == nil ? "" : "JOIN memories m ON m.seq = t.seq WHERE m.project = ?"
            for row in try Row.fetchAll(db, sql: "SELECT t.tag, COUNT(*) AS n FROM memory_tags t \(tagScope) GROUP BY t.tag ORDER BY n DESC, t.tag LIMIT 50",
                                        arguments: arguments) {
                tags[row["tag"]] = row["n"]
            }
            let span = try Row.fetchOne(db, sql: "SELECT MIN(created_at) AS oldest, MAX(created_at) AS newest FROM memories \(scope)", arguments: arguments)
            return Stats(total: total, projects: projects, withoutProject: withoutProject, tags: tags,
                         oldest: (span?["oldest"] as Double?).map(Self.timestamp), newest: (span?["newest"] as Double?).map(Self.timestamp))
        }
    }

    /// Whether the file answers a read now.
    func check() async throws {
        _ = try await queue.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM memories") }
    }

    static func tags(from text: String) -> [String] {
        (try? JSONDecoder().decode([String].self, from: Data(text.utf8))) ?? []
    }

    static func timestamp(_ seconds: Double) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: Date(timeIntervalSince1970: seconds))
    }
}
