import CapHostCore
import CapHostTestSupport
import Foundation
import Testing

/// ABI 1.3 `report_health`: an outside registry's verdict demotes a provider in its slot, from
/// the C fixture registry_health.c, with every refusal by status.
@Suite struct RegistryHealthReportTests {
    let slot = SlotKey(domain: "adapter", category: "bench")

    func report(_ test: TestHost, _ text: String) async throws -> String {
        let body = try await test.host.invoker.invoke(.slot(SlotKey(domain: "adapter", category: "reporter")), method: "report",
                                                      payload: Array(text.utf8)).body
        return String(decoding: body, as: UTF8.self)
    }

    @Test func anUnhealthyReportDemotesUntilWithdrawnAndDiesWithItsReporter() async throws {
        try await TestHost.with { test in
            try await test.load("noop.c", as: "high.so", defines: providerDefines(name: "high", provider: "high", priority: 20))
            try await test.load("noop.c", as: "low.so", defines: providerDefines(name: "low", provider: "low", priority: 10))
            let reporter = try await test.load("registry_health.c", as: "reporter.so", defines: ["PLUGIN_NAME": "\"reporter\""])
            #expect(reporter.state == .loaded)
            #expect(test.host.resolve(slot)?.provider == "high")

            #expect(try await report(test, "2 adapter:bench:high the registry's probe failed") == "status=0")
            #expect(try await report(test, "2 adapter:bench:high the registry's probe failed") == "status=0")
            #expect(test.host.resolve(slot)?.provider == "low")
            let explanation = try #require(test.host.explain(slot))
            #expect(explanation.decidedBy.hasPrefix("adapter:bench:low won on registry health healthy > unhealthy (demoted: reporter reports it unhealthy (the registry's probe failed) since "),
                    "\(explanation.decidedBy)")
            let events = test.host.events.events(kinds: [.healthChanged]).filter { $0.subject == "adapter:bench:high" }
            #expect(events.map(\.reason) == ["registry: reporter reports unhealthy: the registry's probe failed"])

            // HEALTHY withdraws it; priority decides again.
            #expect(try await report(test, "1 adapter:bench:high back") == "status=0")
            #expect(test.host.resolve(slot)?.provider == "high")

            // Every refusal by status: unknown provider, malformed id, unknown state, not UTF-8.
            #expect(try await report(test, "2 adapter:bench:nobody x") == "status=\(2)")
            #expect(try await report(test, "2 not-an-id x") == "status=1")
            #expect(try await report(test, "7 adapter:bench:high x") == "status=1")
            let notUTF8 = Array("2 adapter:bench:high ".utf8) + [0xff, 0xfe]
            let body = try await test.host.invoker.invoke(.slot(SlotKey(domain: "adapter", category: "reporter")), method: "report", payload: notUTF8).body
            #expect(String(decoding: body, as: UTF8.self) == "status=1")

            // A demotion does not outlive its reporter.
            #expect(try await report(test, "2 adapter:bench:high down again") == "status=0")
            #expect(test.host.resolve(slot)?.provider == "low")
            await test.host.unload(file: test.pluginsDirectory + "/reporter.so", reason: "test")
            #expect(test.host.resolve(slot)?.provider == "high")
        }
    }
}
