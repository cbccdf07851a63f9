import CapHostCore
import CapHostTestSupport
import Foundation
import Testing

/// The quality loop with the real session-buddy serving the memory slot (the seed's pairing):
/// issues stored as reflections, recurrences found by session-buddy's search, a pattern told once.
@Suite(.serialized) struct QualityLoopOverSessionBuddyTests {
    @Test func aRecurringCodeIsFoundInSessionBuddysMemoryAndToldOnce() async throws {
        try await SessionBuddyPeer.with { peer in
            try await SessionBuddyTestHost.with(config: SessionBuddyTestHost.config(peer)) { test in
                try #"{"memory":"adapter:memory:session-buddy","threshold":2}"#
                    .write(toFile: test.testHost.pluginsDirectory + "/quality-loop.json", atomically: true, encoding: .utf8)
                let loop = await test.host.load(file: try FixturePlugins.install(try FixturePlugins.builtPlugin("QualityLoopPlugin"),
                                                                                  into: test.testHost.pluginsDirectory, as: "quality-loop.so"))
                #expect(loop.state == .loaded, "\(String(describing: loop.error))")
                let issues: [[String: Any]] = [
                    ["tool": "ruff-check", "file": "shop/__init__.py", "line": 2, "code": "F821", "message": "Undefined name `reduce`", "severity": "high"],
                    ["tool": "ruff-check", "file": "shop/util.py", "line": 2, "code": "F821", "message": "Undefined name `itemz`", "severity": "high"],
                ]
                func call(_ method: String, _ payload: [String: Any]) async throws -> [String: Any] {
                    let response = try await test.host.invoker.invoke(.slot(SlotKey(domain: "service", category: "quality-loop")), method: method,
                                                                      payload: Array(try JSONSerialization.data(withJSONObject: payload)),
                                                                      timeout: .seconds(60))
                    return try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any] ?? [:]
                }
                let first = try await call("remember", ["project": "/src/shop", "issues": issues])
                #expect(first["stored"] as? Int == 2 && first["codes"] as? [String] == ["F821"], "\(first)")
                let pattern = (first["patterns"] as? [[String: Any]])?.first
                #expect(pattern?["count"] as? Int == 2 && pattern?["files"] as? [String] == ["shop/__init__.py", "shop/util.py"], "\(first)")
                _ = try await call("acknowledge", ["project": "/src/shop", "codes": ["F821"]])
                let second = try await call("remember", ["project": "/src/shop", "issues": issues])
                #expect(second["notify"] as? Bool == false && second["already_told"] as? [String] == ["F821"], "\(second)")
            }
        }
    }
}
