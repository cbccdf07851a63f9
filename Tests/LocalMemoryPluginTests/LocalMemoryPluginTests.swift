import CapHostCore
import CapHostTestSupport
import Foundation
import Testing

/// `adapter:memory:local` loaded from the built `libLocalMemoryPlugin.so` into a real host, on a
/// real SQLite file: memories stored, found by bm25 rank and by tags, counted, kept across a
/// restart, and bad input refused naming the field.
@Suite struct LocalMemoryPluginTests {
    static let memory = CapabilityReference.provider(CapabilityID(domain: "adapter", category: "memory", provider: "local"))

    /// Runs `body` with a host whose local memory keeps its file at `path` (in the host's folder when nil).
    static func withMemory(path: String? = nil, _ body: (TestHost, String) async throws -> Void) async throws {
        try await TestHost.with { test in
            let file = path ?? test.root + "/memory/memories.sqlite"
            let built = try FixturePlugins.builtPlugin("LocalMemoryPlugin")
            try #"{"path":"\#(file)"}"#.write(toFile: test.pluginsDirectory + "/local-memory.json", atomically: true, encoding: .utf8)
            let installed = try FixturePlugins.install(built, into: test.pluginsDirectory, as: "local-memory.so")
            let report = await test.host.load(file: installed)
            #expect(report.state == .loaded, "\(report)")
            try await body(test, file)
        }
    }

    static func call(_ test: TestHost, _ method: String, _ payload: [String: Any], key: String? = nil) async throws(InvocationError) -> [String: Any] {
        let bytes = Array((try? JSONSerialization.data(withJSONObject: payload)) ?? Data())
        let response = try await test.host.invoker.invoke(memory, method: method, payload: bytes, idempotencyKey: key)
        return ((try? JSONSerialization.jsonObject(with: Data(response.body))) as? [String: Any]) ?? [:]
    }

    static func failure(_ test: TestHost, _ method: String, _ payload: [String: Any]) async -> InvocationError? {
        do throws(InvocationError) {
            _ = try await call(test, method, payload)
            return nil
        } catch {
            return error
        }
    }

    @Test func storedMemoriesAreFoundByRankTagsAndProject() async throws {
        try await Self.withMemory { test, _ in
            let first = try await Self.call(test, "store", ["content": "ruff F401: os imported but unused in app/main.py",
                                                            "tags": ["tool:ruff", "code:F401", "file:app/main.py"], "project": "shop"])
            #expect(first["stored"] as? Bool == true && first["repeated"] as? Bool == false && first["provider"] as? String == "local")
            _ = try await Self.call(test, "store", ["content": "refurb FURB118: replace the lambda with operator.add",
                                                    "tags": ["tool:refurb", "code:FURB118"], "project": "shop"])
            _ = try await Self.call(test, "store", ["content": "unused import again: sys imported but unused, unused twice",
                                                    "tags": ["tool:ruff", "code:F401", "file:app/util.py"], "project": "blog"])
            _ = try await Self.call(test, "store", ["content": "nothing to do with imports"])

            // Ranked by bm25: both "unused import" memories, the denser one first.
            let found = try await Self.call(test, "search", ["query": "unused imported"])
            let results = found["results"] as? [[String: Any]] ?? []
            #expect(results.count == 2 && found["total"] as? Int == 2, "\(found)")
            #expect(results.first?["project"] as? String == "blog", "\(results)")
            let scores = results.compactMap { $0["score"] as? Double }
            #expect(scores.count == 2 && scores[0] >= scores[1], "\(scores)")
            #expect(results.first?["tags"] as? [String] == ["code:F401", "file:app/util.py", "tool:ruff"])
            #expect((results.first?["created_at"] as? String)?.hasSuffix("Z") == true)

            // Narrowed by project, by tags (every tag must be on a result), and by limit.
            let inShop = try await Self.call(test, "search", ["query": "unused", "project": "shop"])
            #expect((inShop["results"] as? [[String: Any]])?.map { $0["id"] as? String } == [first["id"] as? String])
            let byTags = try await Self.call(test, "search", ["tags": ["code:F401", "tool:ruff"]])
            #expect(byTags["total"] as? Int == 2 && (byTags["results"] as? [[String: Any]])?.first?["score"] is NSNull, "\(byTags)")
            let limited = try await Self.call(test, "search", ["tags": ["code:F401"], "limit": 1])
            #expect(limited["count"] as? Int == 1 && limited["total"] as? Int == 2)
            let none = try await Self.call(test, "search", ["query": "unused", "tags": ["code:E501"]])
            #expect(none["total"] as? Int == 0 && (none["results"] as? [Any])?.isEmpty == true)

            let stats = try await Self.call(test, "stats", [:])
            #expect(stats["total"] as? Int == 4 && stats["without_project"] as? Int == 1, "\(stats)")
            #expect(stats["projects"] as? [String: Int] == ["shop": 2, "blog": 1])
            #expect((stats["tags"] as? [String: Int])?["code:F401"] == 2)
            let shop = try await Self.call(test, "stats", ["project": "shop"])
            #expect(shop["total"] as? Int == 2 && (shop["tags"] as? [String: Int])?["code:F401"] == 1, "\(shop)")
        }
    }

    /// A durable delivery repeated after a restart stores nothing twice.
    @Test func aRepeatedIdempotencyKeyReturnsTheMemoryItStored() async throws {
        try await Self.withMemory { test, _ in
            let first = try await Self.call(test, "store", ["content": "once"], key: "delivery-7")
            let again = try await Self.call(test, "store", ["content": "once"], key: "delivery-7")
            #expect(again["id"] as? String == first["id"] as? String && again["repeated"] as? Bool == true)
            let stats = try await Self.call(test, "stats", [:])
            #expect(stats["total"] as? Int == 1)
        }
    }

    @Test func memoriesOutliveTheHost() async throws {
        let folder = try TemporaryFolder("memory-file")
        defer { folder.remove() }
        let path = folder.path + "/kept.sqlite"
        try await Self.withMemory(path: path) { test, _ in
            _ = try await Self.call(test, "store", ["content": "kept across restarts", "tags": ["kept"]])
        }
        try await Self.withMemory(path: path) { test, _ in
            let found = try await Self.call(test, "search", ["query": "restarts"])
            #expect((found["results"] as? [[String: Any]])?.first?["content"] as? String == "kept across restarts")
            #expect(await test.host.checkAdapterHealth(id: "adapter:memory:local")?.healthy == true)
        }
    }

    @Test func badInputIsRefusedNamingTheField() async throws {
        try await Self.withMemory { test, _ in
            let cases: [(String, [String: Any], String)] = [
                ("store", ["content": ""], "content: expected 1…65536 bytes of text, found 0"),
                ("store", ["content": String(repeating: "x", count: 65_537)], "content: expected 1…65536 bytes of text, found 65537"),
                ("store", ["content": "x", "tags": Array(repeating: "t", count: 33)], "tags: expected at most 32 tags, found 33"),
                ("store", ["content": "x", "tags": ["ok", ""]], "tags[1]: expected 1…128 bytes, found 0"),
                ("store", ["tags": ["a"]], "content"),
                ("search", [:], "query: expected the text to search for (or tags to list by), found neither"),
                ("search", ["query": "x", "limit": 0], "limit: expected 1…100, found 0"),
                ("search", ["query": "!!! ???"], #"query: "!!! ???" has no word to search for"#),
                ("stats", ["project": ""], #"project: expected ^[a-zA-Z0-9._-]{1,128}$ (letters, digits, '.', '_', '-'), found """#),
                ("store", ["content": "x", "project": "/home/me/shop"], #"found "/home/me/shop""#),
                ("store", ["content": "x", "tags": ["a, b"]], "tags[0]: expected no ', ' and no line break"),
            ]
            for (method, payload, message) in cases {
                let error = await Self.failure(test, method, payload)
                #expect(error?.code == .invalidArgument, "\(method) \(payload.keys.sorted()): \(String(describing: error))")
                #expect(error?.message.contains(message) == true, "\(method): \(error?.message ?? "no error")")
            }
            let stats = try await Self.call(test, "stats", [:])
            #expect(stats["total"] as? Int == 0, "a refused store stored something")
        }
    }

    @Test func aFileThatCannotBeOpenedFailsTheLoadNamingIt() async throws {
        try await TestHost.with { test in
            let built = try FixturePlugins.builtPlugin("LocalMemoryPlugin")
            try #"{"path":"\#(test.root)"}"#.write(toFile: test.pluginsDirectory + "/local-memory.json", atomically: true, encoding: .utf8)
            let installed = try FixturePlugins.install(built, into: test.pluginsDirectory, as: "local-memory.so")
            let report = await test.host.load(file: installed)
            #expect(report.state != .loaded)
            #expect("\(report)".contains("cannot open the memory database \(test.root)"), "\(report)")
        }
    }
}
