import CapHostCore
import CapHostTestSupport
import Foundation
import Testing

/// Resolution order (pin, then priority, stack level, score, newest) and
/// explanations that name the deciding rule.
@Suite struct ResolutionTests {
    let slot = SlotKey(domain: "adapter", category: "bench")

    @Test func explainNamesTheRuleThatDecidedForEveryCandidate() async throws {
        try await TestHost.with { test in
            try await test.load("noop.c", as: "a.so", defines: providerDefines(name: "a", provider: "a", priority: 10))
            try await test.load("noop.c", as: "b.so", defines: providerDefines(name: "b", provider: "b", priority: 20))
            try await test.load("noop.c", as: "c.so", defines: providerDefines(name: "c", provider: "c", priority: 20, stackLevel: 5))

            #expect(test.host.resolve(slot)?.description == "adapter:bench:c")
            let explanation = try #require(test.host.explain(slot))
            let reasons = Dictionary(uniqueKeysWithValues: explanation.candidates.map { ($0.id, $0.reason) })
            #expect(explanation.decidedBy == "adapter:bench:c won on stack level 5 > 0 over adapter:bench:b")
            #expect(reasons["adapter:bench:c"] == "won on stack level 5 > 0 over adapter:bench:b")
            #expect(reasons["adapter:bench:b"] == "lost on stack level 0 < 5 to adapter:bench:c")
            #expect(reasons["adapter:bench:a"] == "lost on priority 10 < 20 to adapter:bench:c")
            #expect(explanation.candidates.allSatisfy { $0.score == 1 && $0.breaker == "closed" })

            await test.host.pin(slot, to: "a")
            #expect(test.host.resolve(slot)?.provider == "a")
            let pinned = try #require(test.host.explain(slot))
            #expect(pinned.decidedBy.hasPrefix("adapter:bench:a pinned by operator at "))
            #expect(pinned.candidates.first { $0.id == "adapter:bench:c" }?.reason == "standby: slot pinned to a by operator")

            await test.host.pin(slot, to: "zzz")
            #expect(test.host.resolve(slot)?.provider == "c")
            #expect(test.host.explain(slot)?.decidedBy == "operator pin on 'zzz' not honoured: no loaded candidate has provider 'zzz'; adapter:bench:c won on stack level 5 > 0 over adapter:bench:b")

            try await test.host.unpin(slot)
            try await test.host.drain(CapabilityID(slot: slot, provider: "c"))
            #expect(test.host.resolve(slot)?.provider == "b")
            let drained = try #require(test.host.explain(slot))
            #expect(drained.candidates.first { $0.id == "adapter:bench:c" }?.reason.hasPrefix("excluded: draining since ") == true)
            #expect(drained.decidedBy == "adapter:bench:b won on priority 20 > 10 over adapter:bench:a")
            try await test.host.resume(CapabilityID(slot: slot, provider: "c"))
            #expect(test.host.resolve(slot)?.provider == "c")
        }
    }

    @Test func equalRanksFallBackToNewestRegistration() async throws {
        try await TestHost.with { test in
            try await test.load("noop.c", as: "old.so", defines: providerDefines(name: "old", provider: "old"))
            try await test.load("noop.c", as: "new.so", defines: providerDefines(name: "new", provider: "new"))
            let explanation = try #require(test.host.explain(slot))
            #expect(explanation.active == "adapter:bench:new")
            #expect(explanation.decidedBy.hasPrefix("adapter:bench:new won on registration order #"))
        }
    }

    @Test func reloadingTheSameProviderReplacesItInsteadOfDuplicating() async throws {
        try await TestHost.with { test in
            let file = try test.install("noop.c", as: "p.so", defines: providerDefines(name: "p", provider: "p", version: "1.0.0"))
            await test.host.load(file: file)
            try test.install("noop.c", as: "p.so", defines: providerDefines(name: "p", provider: "p", version: "1.1.0"))
            let report = await test.host.load(file: file)
            #expect(report.descriptor?.version.description == "1.1.0")
            let explanation = try #require(test.host.explain(slot))
            #expect(explanation.candidates.count == 1)
            #expect(explanation.candidates.first?.version == "1.1.0")
        }
    }

    @Test func aBadReplacementLeavesTheServingVersionInPlaceAndSaysWhy() async throws {
        try await TestHost.with { test in
            let file = try test.install("noop.c", as: "p.so", defines: providerDefines(name: "p", provider: "p"))
            await test.host.load(file: file)
            try test.install("bad_magic.c", as: "p.so")
            let report = await test.host.load(file: file)
            #expect(report.state == .failed)
            let kept = try #require(test.host.plugin(file: file))
            #expect(kept.state == .loaded)
            #expect(kept.descriptor?.name == "p")
            #expect(kept.error?.detail.contains("magic is 0xDEADBEEF") == true)
            let response = try await test.host.invoker.invoke(.slot(slot), method: "version", payload: [])
            #expect(response.provider.provider == "p")
        }
    }

    @Test func anOlderVersionFromAnotherFileIsRefusedAsAConflict() async throws {
        try await TestHost.with { test in
            try await test.load("noop.c", as: "v2.so", defines: providerDefines(name: "p", provider: "p", version: "2.0.0"))
            let report = try await test.load("noop.c", as: "v1.so", defines: providerDefines(name: "p", provider: "p", version: "1.0.0"))
            #expect(report.state == .failed)
            #expect(report.error?.check == .conflict)
            #expect(report.error?.detail.contains("adapter:bench:p is already provided by p 2.0.0 from ") == true)
            #expect(report.error?.detail.contains("this file is p 1.0.0, not newer") == true)
        }
    }

    @Test func oneThousandCandidatesInOneSlotResolveAndExplain() async throws {
        try await TestHost.with { test in
            let report = try await test.load("multi.c", as: "multi.so", defines: ["CAP_COUNT": "1000"])
            #expect(report.state == .loaded)
            #expect(report.capabilities.count == 1000)
            let explanation = try #require(test.host.explain(slot))
            #expect(explanation.candidates.count == 1000)
            // Equal priority, stack level and score: the newest registration (the last capability) wins.
            #expect(explanation.active == "adapter:bench:p0999")
            let response = try await test.host.invoker.invoke(.slot(slot), method: "noop", payload: [])
            #expect(response.provider.provider == "p0999")
        }
    }
}
