import CapHostCore
import CapHostTestSupport
import Foundation
import Testing

/// Per-instance rules: a plugin without THREAD_SAFE gets one call at a time,
/// and a changed configuration re-creates the instance and swaps it in.
@Suite(.serialized) struct InstanceLifecycleTests {
    let slot = SlotKey(domain: "adapter", category: "bench")

    @Test func callsIntoAPluginWithoutThreadSafeAreSerialised() async throws {
        try await TestHost.with { test in
            var defines = providerDefines(name: "serial", provider: "serial")
            defines["PLUGIN_FLAGS"] = "0"
            let report = try await test.load("noop.c", as: "serial.so", defines: defines)
            #expect(report.descriptor?.flags.contains(.threadSafe) == false)
            let invoker = test.host.invoker
            let slot = self.slot
            let started = ContinuousClock.now
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<3 {
                    group.addTask { _ = try await invoker.invoke(.slot(slot), method: "sleep", payload: Array("100".utf8)) }
                }
                try await group.waitForAll()
            }
            // One at a time: three 100 ms calls cannot finish in less than 300 ms.
            #expect(ContinuousClock.now - started >= .milliseconds(300))
        }
    }

    @Test func aChangedConfigRecreatesTheInstanceAndSwapsItIn() async throws {
        try await TestHost.with { test in
            let control = test.root + "/control"
            let other = test.root + "/other-control"
            try "0".write(toFile: control, atomically: true, encoding: .utf8)
            try "f".write(toFile: other, atomically: true, encoding: .utf8)
            let config = test.pluginsDirectory + "/ctl.json"
            try #"{"control_file":"\#(control)"}"#.write(toFile: config, atomically: true, encoding: .utf8)
            try await test.load("controllable.c", as: "ctl.so")
            let work = CapabilityReference.slot(SlotKey(domain: "adapter", category: "work"))
            _ = try await test.host.invoker.invoke(work, method: "work", payload: [])

            // The new config points at a control file that says "fail": the re-created
            // instance must be the one answering.
            try #"{"control_file":"\#(other)"}"#.write(toFile: config, atomically: true, encoding: .utf8)
            await test.host.rescan()
            #expect(test.host.events.events(kinds: [.pluginUpgraded]).first?.reason.contains("(file or config changed)") == true)
            do throws(InvocationError) {
                _ = try await test.host.invoker.invoke(work, method: "work", payload: [])
                Issue.record("the old instance answered after the config changed")
            } catch {
                #expect(error.message.contains("controlled failure"), "\(error)")
            }
            try await eventually("the instance to be destroyed", timeout: .seconds(5)) {
                !test.host.events.events(kinds: [.instanceDestroyed]).isEmpty
            }
            #expect(test.host.events.events(kinds: [.instanceDestroyed]).count == 1)
            #expect(test.host.explain(SlotKey(domain: "adapter", category: "work"))?.candidates.count == 1)
        }
    }
}
