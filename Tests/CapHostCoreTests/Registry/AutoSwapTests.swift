import CapHostCore
import CapHostTestSupport
import Foundation
import Testing

/// Auto-swap by score: a failing active provider is demoted for a cool-down,
/// the backup serves, and the recovered provider wins its place back.
@Suite(.serialized) struct AutoSwapTests {
    @Test func failingProviderIsDemotedAndWinsBackAfterRecovery() async throws {
        try await TestHost.with({
            $0.invocation.breakerThreshold = 1000
            $0.autoSwap.minSamples = 10
            $0.autoSwap.minimumDwell = .zero
            $0.autoSwap.demotionCoolDown = .milliseconds(1500)
        }) { test in
            let work = SlotKey(domain: "adapter", category: "work")
            let primaryControl = test.root + "/primary.control"
            try "0".write(toFile: primaryControl, atomically: true, encoding: .utf8)
            try #"{"control_file":"\#(primaryControl)"}"#.write(toFile: test.pluginsDirectory + "/primary.json", atomically: true, encoding: .utf8)
            try #"{"control_file":"\#(test.root)/backup.control"}"#.write(toFile: test.pluginsDirectory + "/backup.json", atomically: true, encoding: .utf8)
            var primary = providerDefines(name: "primary", provider: "primary", category: "work", priority: 10)
            primary["PLUGIN_NAME"] = FixturePlugins.quoted("primary")
            try await test.load("controllable.c", as: "primary.so", defines: primary)
            try await test.load("controllable.c", as: "backup.so", defines: providerDefines(name: "backup", provider: "backup", category: "work"))
            await test.host.start()
            #expect(test.host.resolve(work)?.provider == "primary")

            try "f".write(toFile: primaryControl, atomically: true, encoding: .utf8)
            var served: [String: Int] = [:]
            var failed = 0
            let deadline = ContinuousClock.now + .seconds(10)
            while test.host.resolve(work)?.provider != "backup" && ContinuousClock.now < deadline {
                do {
                    let response = try await test.host.invoker.invoke(.slot(work), method: "work", payload: [])
                    served[response.provider.provider, default: 0] += 1
                } catch {
                    failed += 1
                }
                try await Task.sleep(for: .milliseconds(2))
            }
            #expect(test.host.resolve(work)?.provider == "backup")
            #expect(failed >= 10, "demoted only after min_samples failures")
            let demotion = try #require(test.host.events.events(kinds: [.demoted]).first)
            #expect(demotion.subject == "adapter:work:primary")
            #expect(demotion.reason.contains("< 0.70 over"))
            #expect(demotion.reason.contains("adapter:work:backup (score 1.00) promoted"))
            let explanation = try #require(test.host.explain(work))
            #expect(explanation.candidates.first { $0.id == "adapter:work:primary" }?.reason.hasPrefix("demoted: score") == true)

            // The backup serves every call now.
            let during = try await test.host.invoker.invoke(.slot(work), method: "work", payload: [])
            #expect(during.provider.provider == "backup")

            // Recovery: after the cool-down the primary is probed, passes, and wins back on priority.
            try "0".write(toFile: primaryControl, atomically: true, encoding: .utf8)
            let recoveryDeadline = ContinuousClock.now + .seconds(10)
            while test.host.resolve(work)?.provider != "primary" && ContinuousClock.now < recoveryDeadline {
                try await Task.sleep(for: .milliseconds(20))
            }
            #expect(test.host.resolve(work)?.provider == "primary")
            #expect(test.host.events.events(kinds: [.recovered]).first?.subject == "adapter:work:primary")
            let after = try await test.host.invoker.invoke(.slot(work), method: "work", payload: [])
            #expect(after.provider.provider == "primary")
        }
    }
}
