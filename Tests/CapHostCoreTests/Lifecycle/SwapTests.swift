import CapHostCore
import CapHostTestSupport
import Foundation
import Synchronization
import Testing

/// Hot-swap: serialised per slot, health first, no call ever lost.
@Suite(.serialized) struct SwapTests {
    let slot = SlotKey(domain: "adapter", category: "bench")

    /// Two threads call through the slot while the main task swaps 2 000 times.
    @Test func swapsUnderTwoThreadLoadLoseNoCall() async throws {
        try await TestHost.with { test in
            try await test.load("noop.c", as: "a.so", defines: providerDefines(name: "a", provider: "a"))
            try await test.load("noop.c", as: "b.so", defines: providerDefines(name: "b", provider: "b"))
            let site = try test.host.invoker.callSite(.slot(slot), method: "version")
            let stop = Atomic<Bool>(false)
            let failures = Atomic<Int>(0)
            let calls = Atomic<Int>(0)
            let seen = Mutex<Set<String>>([])
            let invoker = test.host.invoker
            let threads = (0..<2).map { _ in
                Thread {
                    var local = 0
                    var providers = Set<String>()
                    while !stop.load(ordering: .relaxed) {
                        do {
                            let text = try invoker.invoke(site, payload: UnsafeRawBufferPointer(start: nil, count: 0)) {
                                String(decoding: $0, as: UTF8.self)
                            }
                            providers.insert(text)
                        } catch {
                            failures.add(1, ordering: .relaxed)
                        }
                        local += 1
                    }
                    calls.add(local, ordering: .relaxed)
                    seen.withLock { $0.formUnion(providers) }
                }
            }
            threads.forEach { $0.start() }
            for index in 0..<2000 {
                try await test.host.swap(to: CapabilityID(slot: slot, provider: index % 2 == 0 ? "a" : "b"))
            }
            stop.store(true, ordering: .relaxed)
            while calls.load(ordering: .relaxed) == 0 { try await Task.sleep(for: .milliseconds(5)) }
            try await Task.sleep(for: .milliseconds(50))

            #expect(failures.load(ordering: .relaxed) == 0)
            #expect(calls.load(ordering: .relaxed) > 2000)
            #expect(seen.withLock { $0.count } == 2, "both providers served")
            #expect(test.host.events.events(limit: 100_000, kinds: [.swapCompleted]).count == 2000)
        }
    }

    /// 64 swaps fired at once on one slot: each completes or fails cleanly, in
    /// order, and both instances stay alive (a swap never destroys a standby).
    @Test func concurrentSwapsOnOneSlotAreSerialised() async throws {
        try await TestHost.with { test in
            try await test.load("noop.c", as: "a.so", defines: providerDefines(name: "a", provider: "a"))
            try await test.load("noop.c", as: "b.so", defines: providerDefines(name: "b", provider: "b"))
            let host = test.host
            let slot = self.slot
            let outcomes = await withTaskGroup(of: SwapOutcome?.self) { group in
                for index in 0..<64 {
                    group.addTask { try? await host.swap(to: CapabilityID(slot: slot, provider: index % 2 == 0 ? "a" : "b")) }
                }
                return await group.reduce(into: [SwapOutcome?]()) { $0.append($1) }
            }
            #expect(outcomes.compactMap { $0 }.count == 64)
            // Serialised: every completed swap's `from` is the previous one's `to`.
            let completed = host.events.events(kinds: [.swapCompleted]).map { ($0.details["from"] ?? "", $0.details["to"] ?? "") }
            for (previous, next) in zip(completed, completed.dropFirst()) { #expect(next.0 == previous.1) }
            #expect(host.events.events(kinds: [.instanceDestroyed]).isEmpty)
            let version = try await host.invoker.invoke(.slot(slot), method: "version", payload: [])
            #expect(completed.last?.1 == version.provider.description)
        }
    }

    @Test func swapToAnUnhealthyTargetChangesNothing() async throws {
        try await TestHost.with { test in
            let control = test.root + "/control"
            try await test.load("noop.c", as: "a.so", defines: providerDefines(name: "a", provider: "a", category: "work", priority: 10))
            try "0".write(toFile: control, atomically: true, encoding: .utf8)
            try #"{"control_file":"\#(control)"}"#.write(toFile: test.pluginsDirectory + "/ctl.json", atomically: true, encoding: .utf8)
            let report = try await test.load("controllable.c", as: "ctl.so")
            #expect(report.state == .loaded)
            let work = SlotKey(domain: "adapter", category: "work")
            #expect(test.host.resolve(work)?.provider == "a")
            try "h".write(toFile: control, atomically: true, encoding: .utf8)
            do throws(LifecycleError) {
                try await test.host.swap(to: CapabilityID(slot: work, provider: "controllable"))
                Issue.record("swap to an unhealthy target succeeded")
            } catch {
                #expect(error.code == .targetUnhealthy)
                #expect(error.message.contains("health check of adapter:work:controllable returned UNAVAILABLE"), "\(error)")
                #expect(error.message.contains("the slot still serves adapter:work:a"))
            }
            #expect(test.host.resolve(work)?.provider == "a")
            #expect(test.host.events.events(kinds: [.swapFailed]).count == 1)
        }
    }
}
