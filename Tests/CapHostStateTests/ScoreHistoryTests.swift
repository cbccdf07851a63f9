import CapHostCore
import CapHostState
import CapHostTestSupport
import Foundation
import Testing

/// Score samples per candidate: parts, breaker, status, bounded per capability.
@Suite(.serialized) struct ScoreHistoryTests {
    let slot = SlotKey(domain: "adapter", category: "bench")

    @Test func samplesEveryCandidateWithItsPartsAndKeepsTheNewest() async throws {
        let directory = try TemporaryFolder("state-test")
        defer { directory.remove() }
        try await TestHost.with { test in
            try await test.load("noop.c", as: "a.so", defines: providerDefines(name: "a", provider: "a", priority: 10))
            try await test.load("noop.c", as: "b.so", defines: providerDefines(name: "b", provider: "b"))
            for _ in 0..<5 { _ = try await test.host.invoker.invoke(.slot(slot), method: "noop", payload: []) }
            // Let the score keeper fold the calls (it ticks every 20 ms here), so sample and explain agree.
            try await Task.sleep(for: .milliseconds(200))
            let history = ScoreHistory(database: try directory.open(), retainedPerCapability: 3)
            for _ in 0..<5 { #expect(try history.sample(test.host) == 2) }

            let a = try history.history(capability: CapabilityID(slot: slot, provider: "a"))
            #expect(a.count == 3)
            #expect(a.map(\.time) == a.map(\.time).sorted())
            let newest = try #require(a.last)
            let live = try #require(test.host.explain(slot)?.candidates.first { $0.id == "adapter:bench:a" })
            #expect(newest.capability == "adapter:bench:a")
            #expect(newest.status == "active" && newest.breaker == live.breaker)
            #expect(newest.calls == 5 && newest.failures == 0)
            #expect(newest.score == live.score && newest.successRate == live.scoreParts.successRate)
            #expect(newest.health == live.scoreParts.health && newest.latency == live.scoreParts.latency)
            let b = try history.history(capability: CapabilityID(slot: slot, provider: "b"), limit: 2)
            #expect(b.count == 2 && b.allSatisfy { $0.status == "standby" && $0.calls == 0 })
        }
    }

    @Test func samplesOnItsIntervalUntilStopped() async throws {
        let directory = try TemporaryFolder("state-test")
        defer { directory.remove() }
        try await TestHost.with { test in
            try await test.load("noop.c", as: "a.so", defines: providerDefines(name: "a", provider: "a"))
            let history = ScoreHistory(database: try directory.open())
            let id = CapabilityID(slot: slot, provider: "a")
            history.start(host: test.host, every: .milliseconds(20))
            try await eventually("three score samples", timeout: .seconds(20)) { try history.history(capability: id).count >= 3 }
            history.stop()
            let stopped = try history.history(capability: id, limit: 1000).count
            try await Task.sleep(for: .milliseconds(100))
            #expect(try history.history(capability: id, limit: 1000).count == stopped)
        }
    }
}
