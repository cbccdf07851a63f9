@testable import CapHostCore
import CapHostTestSupport
import Foundation
import Testing

/// One misbehaving plugin must not starve the others: a hung plugin holds at
/// most its own share of call threads, a half-open breaker lets one trial call
/// through at a time, a hung health check is not started again behind itself,
/// and names that callers invent are not kept.
@Suite(.serialized) struct ResourceBoundsTests {
    let hostile = SlotKey(domain: "adapter", category: "hostile")
    let bench = SlotKey(domain: "adapter", category: "bench")

    @Test func aHungPluginHoldsOnlyItsOwnShareOfCallThreads() async throws {
        try await TestHost.with({
            $0.invocation.maxCallThreads = 8
            $0.invocation.maxCallsPerPlugin = 3
            $0.invocation.breakerThreshold = 10_000
            $0.isolation.afterCallThreadsExhausted = .refuse
        }) { test in
            try await test.load("invoke_hang.c", as: "hang.so")
            try await test.load("noop.c", as: "good.so", defines: providerDefines(name: "good", provider: "good"))
            // Three rounds of four hanging calls: without a per-plugin cap the first
            // two rounds alone would keep all eight pool threads forever.
            var timedOut = 0
            var refused: [InvocationError] = []
            for _ in 1...3 {
                let outcomes = await withTaskGroup(of: InvocationError?.self) { group in
                    for _ in 1...4 {
                        group.addTask {
                            do throws(InvocationError) {
                                _ = try await test.host.invoker.invoke(.slot(hostile), method: "hang", payload: [], timeout: .milliseconds(100))
                                return nil
                            } catch { return error }
                        }
                    }
                    var all: [InvocationError?] = []
                    for await outcome in group { all.append(outcome) }
                    return all
                }
                for case let error? in outcomes {
                    if error.code == .timeout { timedOut += 1 } else { refused.append(error) }
                }
            }
            #expect(timedOut == 3, "exactly the cap of hung calls got a thread")
            #expect(refused.count == 9)
            for error in refused {
                #expect(error.code == .overloaded, "\(error)")
                #expect(error.message.contains("invoke-hang holds 3 host call threads already (invocation.max_calls_per_plugin"), "\(error)")
            }
            // The rest of the pool still serves everyone else.
            for _ in 1...20 {
                let served = try await test.host.invoker.invoke(.slot(bench), method: "noop", payload: [])
                #expect(served.provider.provider == "good")
            }
            // The operator is told once for the episode, not once per refused call.
            let exhausted = test.host.events.events(kinds: [.callThreadsExhausted])
            #expect(exhausted.count == 1, "\(exhausted)")
            #expect(exhausted.first?.subject.hasSuffix("/hang.so") == true)
            #expect(exhausted.first?.reason.contains("invoke-hang holds all 3 of its call threads (invocation.max_calls_per_plugin), hung calls included") == true,
                    "\(String(describing: exhausted.first))")
        }
    }

    @Test func aHalfOpenBreakerLetsOneTrialCallThroughAtATime() async throws {
        try await TestHost.with({
            $0.invocation.breakerThreshold = 1
            $0.scoring.breakerCoolDown = .milliseconds(100)
        }) { test in
            try await test.load("invoke_hang.c", as: "hang.so")
            await test.host.start()  // the score keeper half-opens breakers
            let id = CapabilityReference.slot(hostile)
            await #expect(throws: InvocationError.self) {
                _ = try await test.host.invoker.invoke(id, method: "hang", payload: [], timeout: .milliseconds(50))
            }
            try await eventually("the breaker to half-open") { test.host.explain(hostile)?.candidates.first?.breaker == "half-open" }

            // The trial: a call that will hang until its deadline.
            let trial = Task {
                try await test.host.invoker.invoke(id, method: "hang", payload: [], timeout: .seconds(3))
            }
            // The first hung call still runs (a timed-out call keeps its thread): the trial is the second.
            try await eventually("two calls in flight") { test.host.explain(hostile)?.candidates.first?.inFlight == 2 }
            // Any other call waits for the trial's outcome instead of piling onto a provider that just failed.
            for _ in 1...5 {
                do throws(InvocationError) {
                    _ = try await test.host.invoker.invoke(id, method: "ok", payload: [])
                    Issue.record("a second call went through a half-open breaker while its trial was in flight")
                } catch {
                    #expect(error.code == .providerExcluded, "\(error)")
                    #expect(error.message.contains("half-open breaker and its one trial call is in flight"), "\(error)")
                }
            }
            // The trial fails at its deadline: the breaker opens again, and after the next
            // cool-down a new trial (this time one that succeeds) closes it.
            await #expect(throws: InvocationError.self) { _ = try await trial.value }
            try await eventually("the breaker to half-open") { test.host.explain(hostile)?.candidates.first?.breaker == "half-open" }
            let ok = try await test.host.invoker.invoke(id, method: "ok", payload: [])
            #expect(ok.provider.provider == "invoke-hang")
            #expect(test.host.explain(hostile)?.candidates.first?.breaker == "closed")
            _ = try await test.host.invoker.invoke(id, method: "ok", payload: [])
        }
    }

    @Test func aHungHealthCheckIsNotStartedAgainBehindItself() async throws {
        try await TestHost.with({
            $0.scoring.healthInterval = .milliseconds(20)
            $0.scoring.healthTimeout = .milliseconds(30)
        }) { test in
            let report = try await test.load("health_hang.c", as: "health-hang.so")
            #expect(report.state == .loaded)
            let id = CapabilityReference.slot(hostile)
            _ = try await test.host.invoker.invoke(id, method: "arm", payload: [])
            await test.host.start()
            // Many health rounds pass (every 20 ms) while the first armed check hangs.
            try await eventually("a health round to report the hung check") {
                test.host.explain(hostile)?.candidates.first?.lastHealth?.message.contains("has not returned for") == true
            }
            try await Task.sleep(for: .milliseconds(500))
            let entered = try await test.host.invoker.invoke(id, method: "entered", payload: [])
            // One check at load, one armed check that hangs; none after it.
            #expect(entered.body.text == #"{"health_calls":2}"#)
            let health = try #require(test.host.explain(hostile)?.candidates.first?.lastHealth)
            #expect(!health.healthy)
            #expect(health.status == "TIMEOUT")
            #expect(health.message.contains("no new check is started until it does"), "\(health.message)")
            // Loading still works: the lifecycle threads were not used up.
            let good = try await test.load("noop.c", as: "good.so", defines: providerDefines(name: "good", provider: "good"))
            #expect(good.state == .loaded, "\(String(describing: good.error))")
        }
    }

    @Test func methodNamesThatCallersInventAreNotKept() async throws {
        try await TestHost.with { test in
            try await test.load("noop.c", as: "good.so", defines: providerDefines(name: "good", provider: "good"))
            let before = MethodNameTable.count
            for index in 0..<2_000 {
                do throws(InvocationError) {
                    _ = try await test.host.invoker.invoke(.slot(bench), method: "invented-\(index)-\(UUID().uuidString)", payload: [])
                    Issue.record("an invented method was served")
                } catch {
                    #expect(error.code == .unknownMethod)
                }
            }
            #expect(MethodNameTable.count == before)
            // Declared names still resolve.
            let noop = try await test.host.invoker.invoke(.slot(bench), method: "noop", payload: [])
            #expect(noop.provider.provider == "good")
        }
    }
}
