import CapHostCore
import CapHostTestSupport
import Foundation
import Testing

/// Plugins that load but misbehave at call time: the caller gets a specific
/// error, the provider pays for it, and everything else keeps serving.
@Suite(.serialized) struct CallTimeMisbehaviourTests {
    let hostile = SlotKey(domain: "adapter", category: "hostile")
    let bench = SlotKey(domain: "adapter", category: "bench")

    @Test func garbageStatusBecomesInternalNamingTheValue() async throws {
        try await TestHost.with { test in
            let report = try await test.load("garbage_status.c", as: "garbage.so")
            #expect(report.state == .loaded)
            let id = CapabilityReference.slot(hostile)
            do throws(InvocationError) {
                _ = try await test.host.invoker.invoke(id, method: "bad", payload: [])
                Issue.record("a status of 4242 was accepted as success")
            } catch {
                #expect(error.code == .internal)
                #expect(error.message.contains("returned unknown status 4242 (ABI 1.0 defines 0...9); treated as INTERNAL"), "\(error)")
            }
            let ok = try await test.host.invoker.invoke(id, method: "ok", payload: [])
            #expect(ok.provider.provider == "garbage-status")
        }
    }

    @Test func oversizedResponseIsRefusedAndItsBufferReleased() async throws {
        try await TestHost.with({ $0.invocation.maxResponseBytes = 16 << 20 }) { test in
            try await test.load("huge_response.c", as: "huge.so")
            let id = CapabilityReference.slot(hostile)
            do throws(InvocationError) {
                _ = try await test.host.invoker.invoke(id, method: "huge", payload: [])
                Issue.record("a 32 MiB response passed a 16 MiB limit")
            } catch {
                #expect(error.code == .responseTooLarge)
                #expect(error.message.contains("returned 33554432 bytes, more than the host's limit of 16777216 bytes"), "\(error)")
            }
            let stats = try await test.host.invoker.invoke(id, method: "stats", payload: [])
            #expect(stats.body.text == #"{"released":1}"#)
        }
    }

    @Test func hangingCallTimesOutOpensTheBreakerAndOthersKeepServing() async throws {
        try await TestHost.with({
            $0.invocation.breakerThreshold = 3
            $0.scoring.breakerCoolDown = .seconds(60)
        }) { test in
            try await test.load("invoke_hang.c", as: "hang.so")
            try await test.load("noop.c", as: "good.so", defines: providerDefines(name: "good", provider: "good"))
            let id = CapabilityReference.slot(hostile)
            for attempt in 1...3 {
                let started = ContinuousClock.now
                do throws(InvocationError) {
                    _ = try await test.host.invoker.invoke(id, method: "hang", payload: [], timeout: .milliseconds(150))
                    Issue.record("hang returned")
                } catch {
                    #expect(error.code == .timeout, "attempt \(attempt): \(error)")
                    #expect(error.message.contains("did not answer within"), "\(error)")
                }
                #expect(ContinuousClock.now - started < .seconds(2))
                // Other plugins are untouched by the stuck thread.
                let good = try await test.host.invoker.invoke(.slot(bench), method: "noop", payload: [])
                #expect(good.provider.provider == "good")
            }
            let explanation = try #require(test.host.explain(hostile))
            #expect(explanation.active == nil)
            #expect(explanation.candidates.first?.breaker == "open")
            #expect(explanation.candidates.first?.reason.contains("excluded: breaker open since") == true)
            #expect(explanation.candidates.first?.reason.contains("after 3 consecutive failures") == true)
            do throws(InvocationError) {
                _ = try await test.host.invoker.invoke(id, method: "ok", payload: [])
                Issue.record("a call reached a provider with an open breaker")
            } catch {
                #expect(error.code == .noEligibleProvider)
                #expect(error.message.contains("breaker open"), "\(error)")
            }
            #expect(test.host.events.events(kinds: [.breakerOpened]).count == 1)
        }
    }

    @Test func unknownMethodNamesTheMethodsThatExist() async throws {
        try await TestHost.with { test in
            try await test.load("noop.c", as: "good.so")
            do throws(InvocationError) {
                _ = try await test.host.invoker.invoke(.slot(bench), method: "nope", payload: [])
                Issue.record("an unknown method was served")
            } catch {
                #expect(error.code == .unknownMethod)
                #expect(error.message == "adapter:bench:noop has no method 'nope' (it has: noop, echo, version, sleep)")
            }
        }
    }
}
