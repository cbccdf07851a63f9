import CapHostCore
import CapHostTestSupport
import Foundation
import Testing

/// The plugin in a real host against the real session-buddy 0.36.0 (Python 3.14 sandbox): store,
/// search (project, tags, limit, long content), stats, in SSE and JSON reply modes.
/// Serialized: each test starts its own session-buddy (≈ 5 s).
@Suite(.serialized) struct SessionBuddyMemoryTests {
    @Test func storedReflectionsAreFoundByProjectAndTagsAndCounted() async throws {
        try await SessionBuddyPeer.with { peer in
            try await SessionBuddyTestHost.with(config: SessionBuddyTestHost.config(peer)) { test in
                let first = try await test.call("store", ["content": "ruff F401 unused import os in pkg/util.py",
                                                          "tags": ["ruff", "F401", "pkg/util.py"], "project": "alpha"])
                #expect(first["stored"] as? Bool == true)
                #expect(first["provider"] as? String == "session-buddy")
                let firstID = try #require(first["id"] as? String)
                #expect(firstID.count >= 16, "session-buddy's own id: \(firstID)")
                let second = try await test.call("store", ["content": "ruff F401 unused import sys in pkg/cli.py",
                                                           "tags": ["ruff", "F401", "pkg/cli.py"], "project": "alpha"])
                let secondID = try #require(second["id"] as? String)
                #expect(secondID != firstID)
                _ = try await test.call("store", ["content": "ruff F401 unused import re in other/x.py", "tags": ["ruff", "F401"], "project": "beta"])
                _ = try await test.call("store", ["content": "mypy arg-type mismatch in api/handlers.py"])

                let inAlpha = try await test.call("search", ["query": "unused import", "project": "alpha"])
                let alpha = SessionBuddyTestHost.results(inAlpha)
                #expect(Set(alpha.compactMap { $0["id"] as? String }) == [firstID, secondID], "\(inAlpha)")
                #expect(inAlpha["count"] as? Int == 2)
                let one = try #require(alpha.first { $0["id"] as? String == firstID })
                #expect(one["content"] as? String == "ruff F401 unused import os in pkg/util.py")
                #expect(one["tags"] as? [String] == ["ruff", "F401", "pkg/util.py"])
                #expect(one["project"] as? String == "alpha")
                #expect((one["created_at"] as? String)?.hasPrefix("20") == true, "\(one)")
                #expect(one.keys.contains("score"))

                let tagged = try await test.call("search", ["query": "unused import", "tags": ["pkg/cli.py"]])
                #expect(SessionBuddyTestHost.results(tagged).compactMap { $0["id"] as? String } == [secondID], "\(tagged)")
                let everywhere = try await test.call("search", ["query": "unused import", "tags": ["ruff", "F401"]])
                #expect(SessionBuddyTestHost.results(everywhere).count == 3, "\(everywhere)")
                let limited = try await test.call("search", ["query": "unused import", "limit": 1])
                #expect(SessionBuddyTestHost.results(limited).count == 1)
                let nothing = try await test.call("search", ["query": "zebra giraffe"])
                #expect(nothing["count"] as? Int == 0)

                // session-buddy caches search answers by (query, limit) for days: a search
                // repeated after a store must still see the new reflection.
                let third = try await test.call("store", ["content": "ruff F401 unused import json in pkg/io.py", "project": "alpha"])
                let again = try await test.call("search", ["query": "unused import", "project": "alpha"])
                #expect(SessionBuddyTestHost.results(again).contains { $0["id"] as? String == third["id"] as? String }, "\(again)")

                // Content longer than session-buddy shows (250 characters) comes back whole.
                let long = "flake8 E501 line too long in pkg/long.py: " + String(repeating: "the quick brown fox ", count: 30)
                let stored = try await test.call("store", ["content": long, "tags": ["flake8"]])
                let found = try await test.call("search", ["query": "E501 line too long"])
                let hit = try #require(SessionBuddyTestHost.results(found).first { $0["id"] as? String == stored["id"] as? String }, "\(found)")
                #expect(hit["content"] as? String == long)

                let stats = try await test.call("stats")
                #expect(stats["total"] as? Int == 6, "\(stats)")
                #expect(stats["project_count"] as? Int == 2, "\(stats)")
                #expect(stats["database_health"] as? String == "healthy")
                #expect(stats["provider"] as? String == "session-buddy")
                // A third party reading session-buddy directly sees the same count.
                let direct = try await peer.callTool("reflection_stats")
                #expect((direct["result"] as? String)?.contains("Total reflections: 6") == true, "\(direct)")
                let scoped = try await test.call("stats", ["project": "alpha"])
                #expect(scoped["project"] as? String == "alpha")
                #expect((scoped["scope"] as? String)?.contains("does not filter by project") == true)
            }
        }
    }

    @Test func plainJSONRepliesWorkTooAndTheSessionIsDeletedWithTheInstance() async throws {
        try await SessionBuddyPeer.with(jsonResponse: true) { peer in
            try await SessionBuddyTestHost.with(config: SessionBuddyTestHost.config(peer)) { test in
                let stored = try await test.call("store", ["content": "bandit B101 assert used in tests/helpers.py", "tags": ["bandit"], "project": "gamma"])
                let found = try await test.call("search", ["query": "assert used", "project": "gamma"])
                #expect(SessionBuddyTestHost.results(found).map { $0["id"] as? String } == [stored["id"] as? String], "\(found)")
                let stats = try await test.call("stats")
                #expect(stats["total"] as? Int == 1)
                let health = await test.health()
                #expect(health?.healthy == true)
            }
            // The host stopped and destroyed the instance: it closed its MCP session (uvicorn's access log).
            try await eventually("DELETE /mcp in session-buddy's log", timeout: .seconds(10)) {
                peer.tail().contains("\"DELETE /mcp HTTP/1.1\" 200")
            }
        }
    }

    @Test func unreadableAndUnknownNamesAreNeverEmptyAnswers() async throws {
        try await SessionBuddyPeer.with { peer in
            try await SessionBuddyTestHost.with(config: SessionBuddyTestHost.config(peer)) { test in
                // Stored by someone else (not through the plugin): what session-buddy shows, no id, no tags.
                _ = try await peer.callTool("store_reflection", ["content": "pylint W0611 unused-import in legacy/a.py", "project": "delta"])
                let found = try await test.call("search", ["query": "unused-import", "project": "delta"])
                let foreign = try #require(SessionBuddyTestHost.results(found).first, "\(found)")
                #expect(foreign["id"] is NSNull)
                #expect(foreign["content"] as? String == "pylint W0611 unused-import in legacy/a.py")
                #expect(foreign["project"] as? String == "delta")
                #expect(foreign["tags"] as? [String] == [])
                // ... and it can never satisfy a tag filter.
                let tagged = try await test.call("search", ["query": "unused-import", "tags": ["pylint"]])
                #expect(tagged["count"] as? Int == 0)
            }
        }
    }
}
