import CapHostCore
import CapHostTestSupport
import Foundation
import Synchronization
import Testing

/// plugins.d under inotify while a call loop runs: a new file serves, a newer
/// version upgrades in place, a removed file drains and retires, and no call
/// that was accepted fails.
@Suite(.serialized) struct DropInTests {
    let slot = SlotKey(domain: "adapter", category: "bench")

    /// Calls `version` on the slot from a thread until stopped; counts what it saw.
    final class CallLoop: @unchecked Sendable {
        let stop = Atomic<Bool>(false)
        let versions = Mutex<[String: Int]>([:])
        let failures = Mutex<[String]>([])
        let done = Atomic<Bool>(false)

        init(invoker: Invoker, slot: SlotKey) {
            let thread = Thread { [self] in
                while !stop.load(ordering: .relaxed) {
                    do {
                        let site = try invoker.callSite(.slot(slot), method: "version")
                        let text = try invoker.invoke(site, payload: UnsafeRawBufferPointer(start: nil, count: 0)) {
                            String(decoding: $0, as: UTF8.self)
                        }
                        versions.withLock { $0[text, default: 0] += 1 }
                    } catch {
                        failures.withLock { $0.append("\(error)") }
                    }
                }
                done.store(true, ordering: .releasing)
            }
            thread.start()
        }

        func finish() async {
            stop.store(true, ordering: .relaxed)
            while !done.load(ordering: .acquiring) { try? await Task.sleep(for: .milliseconds(1)) }
        }
    }

    @Test func dropInUpgradeAndRemovalWhileCallsRun() async throws {
        try await TestHost.with({ $0.watcher.enabled = true; $0.watcher.rescanInterval = .seconds(30) }) { test in
            let v1 = try FixturePlugins.build("noop.c", defines: providerDefines(name: "p", provider: "p", version: "1.0.0"))
            let v2 = try FixturePlugins.build("noop.c", defines: providerDefines(name: "p", provider: "p", version: "2.0.0"))
            let base = try FixturePlugins.build("noop.c", defines: providerDefines(name: "base", provider: "base", priority: -10))
            try FixturePlugins.install(base, into: test.pluginsDirectory, as: "base.so")
            await test.host.start()
            #expect(test.host.resolve(slot)?.provider == "base")
            let loop = CallLoop(invoker: test.host.invoker, slot: slot)

            // Drop-in: a new file serves without any command.
            try FixturePlugins.install(v1, into: test.pluginsDirectory, as: "p.so")
            try await eventually("p 1.0.0 to serve") { loop.versions.withLock { $0.keys.contains { $0.contains("\"version\":\"1.0.0\",\"provider\":\"p\"") } } }

            // Upgrade in place: a newer version of the same provider under another name.
            try FixturePlugins.install(v2, into: test.pluginsDirectory, as: "p-2.so")
            try await eventually("p 2.0.0 to serve") { loop.versions.withLock { $0.keys.contains { $0.contains("\"version\":\"2.0.0\"") } } }
            try await eventually("the 1.0.0 instance to be destroyed") {
                test.host.events.events(kinds: [.instanceDestroyed]).contains { $0.reason.hasPrefix("p 1.0.0 destroyed after its last call") }
            }
            #expect(test.host.explain(slot)?.candidates.filter { $0.id == "adapter:bench:p" }.map(\.version) == ["2.0.0"])
            #expect(test.host.plugin(file: test.pluginsDirectory + "/p.so")?.state == .superseded)

            // Removal: the provider retires, the slot falls back to base.
            let before = loop.versions.withLock { $0.values.reduce(0, +) }
            try FileManager.default.removeItem(atPath: test.pluginsDirectory + "/p-2.so")
            try await eventually("p to retire") { test.host.resolve(slot)?.provider == "base" }
            try await eventually("more calls after the removal") { loop.versions.withLock { $0.values.reduce(0, +) } > before + 100 }
            await loop.finish()

            #expect(loop.failures.withLock { $0 }.isEmpty, "failed calls: \(loop.failures.withLock { Array($0.prefix(3)) })")
            let kinds = test.host.events.events(limit: 10_000).map(\.kind)
            #expect(kinds.contains(.pluginLoaded))
            #expect(kinds.contains(.pluginRemoved))
            // Both retired C images stay mapped (not UNLOADABLE); the second once its last call finished.
            try await eventually("both retired images to be accounted") { test.host.retainedImages.count == 2 }
            #expect(test.host.plugin(file: test.pluginsDirectory + "/p-2.so")?.state == .removed)
        }
    }

    @Test func aRetiredInstanceIsDestroyedOnlyAfterItsInFlightCallsFinish() async throws {
        try await TestHost.with { test in
            let file = try test.install("noop.c", as: "slow.so", defines: providerDefines(name: "slow", provider: "slow"))
            await test.host.load(file: file)
            let invoker = test.host.invoker
            let slot = self.slot
            let call = Task { try await invoker.invoke(.slot(slot), method: "sleep", payload: Array("300".utf8)) }
            try await eventually("the call to be in flight") { test.host.explain(slot)?.candidates.first?.inFlight == 1 }
            try FileManager.default.removeItem(atPath: file)
            await test.host.unload(file: file, reason: "test removal")
            #expect(test.host.events.events(kinds: [.instanceDestroyed]).isEmpty, "destroyed while a call was in flight")
            let response = try await call.value
            #expect(response.provider.provider == "slow")
            try await eventually("destroy after the call") { !test.host.events.events(kinds: [.instanceDestroyed]).isEmpty }
        }
    }
}
