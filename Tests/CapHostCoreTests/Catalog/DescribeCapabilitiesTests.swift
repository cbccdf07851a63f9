import CapHostCore
import CapHostTestSupport
import Foundation
import Testing

/// ABI 1.2: a plugin reads the host's live capability graph through `describe_capabilities`,
/// here from the C fixture graph.c, loaded beside two competing providers.
@Suite struct DescribeCapabilitiesTests {
    struct Document: Decodable {
        struct Slot: Decodable {
            let domain: String
            let category: String
            let active: String?
            let decidedBy: String
            let candidates: [Candidate]
        }
        struct Candidate: Decodable {
            let id: String
            let provider: String
            let plugin: String
            let priority: Int32
            let breaker: String
            let status: String
            let reason: String
        }
        let slots: [Slot]
    }

    @Test func aPluginSeesEverySlotItsCandidatesAndTheActiveBinding() async throws {
        try await TestHost.with { test in
            try await test.load("noop.c", as: "low.so", defines: providerDefines(name: "low", provider: "low", priority: 10))
            try await test.load("noop.c", as: "high.so", defines: providerDefines(name: "high", provider: "high", priority: 20))
            try await test.load("graph.c", as: "graph.so")
            let graphSlot = CapabilityReference.slot(SlotKey(domain: "adapter", category: "graph"))

            let first = try JSONDecoder().decode(Document.self, from: Data(
                try await test.host.invoker.invoke(graphSlot, method: "describe", payload: []).body))
            #expect(first.slots.map { "\($0.domain):\($0.category)" } == ["adapter:bench", "adapter:graph"])
            let bench = try #require(first.slots.first)
            #expect(bench.active == "adapter:bench:high")
            #expect(bench.decidedBy == "adapter:bench:high won on priority 20 > 10 over adapter:bench:low")
            #expect(Set(bench.candidates.map(\.provider)) == ["low", "high"])
            let low = try #require(bench.candidates.first { $0.provider == "low" })
            #expect(low.id == "adapter:bench:low" && low.plugin == "low" && low.priority == 10)
            #expect(low.status == "standby" && low.breaker == "closed")
            #expect(low.reason == "lost on priority 10 < 20 to adapter:bench:high")

            // The document is live: a pin shows at once.
            await test.host.pin(SlotKey(domain: "adapter", category: "bench"), to: "low")
            let pinned = try JSONDecoder().decode(Document.self, from: Data(
                try await test.host.invoker.invoke(graphSlot, method: "describe", payload: []).body))
            #expect(pinned.slots.first?.active == "adapter:bench:low")
            #expect(pinned.slots.first?.candidates.first { $0.provider == "low" }?.status == "active")
        }
    }
}
