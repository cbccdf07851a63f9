import PluginKit

/// `adapter:memory:local`: the memory slot's local provider. The same `store`, `search` and
/// `stats` as `adapter:memory:session-buddy`, kept in a SQLite file with an FTS5 index and
/// ranked by bm25, so memory works with no session-buddy; its lower priority makes it the
/// slot's standby, which the host fails over to when session-buddy stops answering.
public final class LocalMemoryPlugin: CapabilityPlugin {
    static let tagsSchema = #"{"type":"array","maxItems":32,"items":{"type":"string","minLength":1,"maxLength":128}}"#

    /// One capability, three methods.
    public static let manifest = PluginManifest(
        name: "local-memory", version: "1.0.0", vendor: "caphost",
        flags: [.threadSafe, .parallelCreate],
        capabilities: [
            Capability(
                domain: "adapter", category: "memory", provider: "local", priority: 0, stackLevel: 0,
                description: "Memories in a local SQLite file, searched by full text (FTS5, bm25)",
                methods: [
                    CapabilityMethod(name: "store", description: "Stores a memory (content, tags, project); answers its id",
                                     inputSchema: #"{"type":"object","required":["content"],"properties":{"content":{"type":"string","minLength":1},"tags":\#(tagsSchema),"project":{"type":"string","pattern":"^[a-zA-Z0-9._-]{1,128}$"}},"additionalProperties":false}"#),
                    CapabilityMethod(name: "search", description: "The best matches of a query (bm25), narrowed by project and tags",
                                     inputSchema: #"{"type":"object","properties":{"query":{"type":"string","minLength":1},"project":{"type":"string","minLength":1},"tags":\#(tagsSchema),"limit":{"type":"integer","minimum":1,"maximum":100}},"additionalProperties":false}"#),
                    CapabilityMethod(name: "stats", description: "How many memories, by project and by tag",
                                     inputSchema: #"{"type":"object","properties":{"project":{"type":"string","minLength":1}},"additionalProperties":false}"#),
                ]),
        ])

    private let context: PluginContext
    private let database: MemoryDatabase

    /// Reads the config and opens (or creates) the database.
    public init(context: PluginContext) throws {
        self.context = context
        let configuration = try context.decodeConfig(LocalMemoryConfiguration.self).validated()
        database = try MemoryDatabase(path: configuration.path)
        context.log(.info, "local-memory 1.0.0 keeping memories in \(configuration.path)")
    }

    public func invoke(_ request: PluginRequest) async throws -> PluginResponse {
        let started = ContinuousClock.now
        defer { context.metric(.histogram, "memory_local_call_duration_seconds", labels: ["method": request.method], value: (ContinuousClock.now - started).seconds) }
        switch request.method {
        case "store":
            let memory = try request.decode(MemoryPayloads.Store.self).validated()
            let stored = try await database.store(memory, key: request.idempotencyKey)
            context.metric(.counter, "memory_local_stored_total", labels: ["outcome": stored.repeated ? "repeat" : "stored"], value: 1)
            return try .json(Receipt(id: stored.id, stored: true, repeated: stored.repeated, provider: "local"))
        case "search":
            let search = try request.decode(MemoryPayloads.Search.self).validated()
            let (entries, total) = try await database.search(search)
            return try .json(Results(results: entries, count: entries.count, total: total))
        case "stats":
            let stats = try request.decode(MemoryPayloads.Stats.self)
            try MemoryPayloads.check(project: stats.project)
            return try .json(try await database.stats(project: stats.project))
        default:
            throw PluginError.unimplemented(request)
        }
    }

    /// Healthy while the file answers a read.
    public func health() async throws {
        do {
            try await database.check()
        } catch {
            throw PluginError.unavailable("the memory database \(database.path) does not answer: \(error)")
        }
    }

    /// What `store` answers.
    struct Receipt: Encodable {
        let id: String
        let stored: Bool
        /// The call's idempotency key had stored this memory before.
        let repeated: Bool
        let provider: String
    }

    /// What `search` answers.
    struct Results: Encodable {
        let results: [MemoryDatabase.Entry]
        let count: Int
        /// Matches in all (`count` is at most the limit).
        let total: Int
    }
}

/// The one symbol the host looks up.
@_cdecl("cap_plugin_entry_v1")
public func capPluginEntry() -> UnsafeRawPointer { PluginExport.descriptor(for: LocalMemoryPlugin.self) }

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
