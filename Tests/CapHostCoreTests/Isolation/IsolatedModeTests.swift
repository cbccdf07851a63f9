@testable import CapHostCore
import CapHostTestSupport
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The same `.so` in-process and in its own `caphost-runner --serve` process: the same
/// answers, errors, deadlines and host services, from another process.
@Suite(.serialized) struct IsolatedModeTests {
    let inProcess = CapabilityID(slot: SlotKey(domain: "adapter", category: "probe"), provider: "inproc")
    let isolated = CapabilityID(slot: SlotKey(domain: "adapter", category: "probe"), provider: "iso")

    /// A host with the probe fixture twice (`inproc.so` in-process, `iso.so` isolated) and
    /// noop.c on adapter:bench as a nested-call target.
    static func withProbes(_ adjust: @escaping (inout HostConfiguration) -> Void = { _ in },
                           _ body: (TestHost) async throws -> Void) async throws {
        try await TestHost.with({
            $0.isolation.modes["iso"] = .process
            adjust(&$0)
        }) { test in
            let inproc = try await test.load("isolation_probe.c", as: "inproc.so", defines: ["CAP_PROVIDER": FixturePlugins.quoted("inproc")])
            try #require(inproc.state == .loaded, "\(String(describing: inproc.error))")
            let iso = try await test.load("isolation_probe.c", as: "iso.so", defines: ["CAP_PROVIDER": FixturePlugins.quoted("iso")])
            try #require(iso.state == .loaded, "\(String(describing: iso.error))")
            let noop = try await test.load("noop.c", as: "noop.so")
            try #require(noop.state == .loaded)
            try await body(test)
        }
    }

    static func text(_ test: TestHost, _ id: CapabilityID, _ method: String, _ payload: String = "",
                     timeout: Duration? = nil, key: String? = nil) async throws(InvocationError) -> String {
        try await test.host.invoker.invoke(.provider(id), method: method, payload: Array(payload.utf8), timeout: timeout,
                                           idempotencyKey: key).body.text
    }

    @Test func anIsolatedPluginAnswersAsItDoesInProcessFromItsOwnProcess() async throws {
        try await Self.withProbes { test in
            let report = try #require(test.host.plugins().first { $0.file.hasSuffix("/iso.so") })
            #expect(report.isolation?.mode == .process)
            #expect(report.isolation?.reason == "isolation.plugins.iso in the configuration")
            #expect(report.isolation?.process?.state == .running)
            let inprocReport = try #require(test.host.plugins().first { $0.file.hasSuffix("/inproc.so") })
            #expect(inprocReport.isolation?.mode == .inProcess)
            #expect(inprocReport.isolation?.process == nil)

            // Its own process: not the host's pid, and the one the report shows.
            let pid = try await Self.text(test, isolated, "pid")
            #expect(pid != "\(getpid())")
            #expect(pid == report.isolation?.process?.pid.map(String.init))
            #expect(try await Self.text(test, inProcess, "pid") == "\(getpid())")

            for payload in ["", "{}", String(repeating: "é", count: 40_000)] {
                #expect(try await Self.text(test, isolated, "echo", payload) == payload)
            }
            // Host services: the same answers in both modes (no kv store here: UNAVAILABLE in both).
            let viaIsolated = try await Self.text(test, isolated, "services", "adapter:bench", key: "delivery-7")
            let viaInProcess = try await Self.text(test, inProcess, "services", "adapter:bench", key: "delivery-7")
            #expect(viaIsolated == viaInProcess)
            #expect(viaIsolated.contains(#""key":"delivery-7""#), "\(viaIsolated)")
            #expect(viaIsolated.contains(#""describe":0,"described_slots":1"#), "\(viaIsolated)")
            #expect(viaIsolated.contains(#""nested":0"#) && viaIsolated.contains(#""unparented":0"#), "\(viaIsolated)")

            // Errors and deadlines cross unchanged.
            for id in [isolated, inProcess] {
                do throws(InvocationError) {
                    _ = try await Self.text(test, id, "fail")
                    Issue.record("fail returned")
                } catch {
                    #expect(error.code == .invalidArgument)
                    #expect(error.message.contains("the payload was refused: it is not what this method wants"), "\(error)")
                }
            }
            let before = caphost_monotonic_ns_for_tests()
            let deadline = try #require(UInt64(try await Self.text(test, isolated, "deadline", timeout: .seconds(5))))
            #expect(deadline > before + 4_000_000_000 && deadline < before + 6_000_000_000, "the plugin sees the caller's deadline on the same clock")
        }
    }

    @Test func aCrashFailsOnlyTheCallInFlightTheSlotFailsOverAndTheProcessComesBack() async throws {
        try await Self.withProbes({
            $0.isolation.restart.initialBackOff = .milliseconds(100)
        }) { test in
            // iso wins the slot on priority once it is the only better one.
            let slot = SlotKey(domain: "adapter", category: "probe")
            try await test.host.swap(to: isolated)
            let firstPid = try await Self.text(test, isolated, "pid")
            do throws(InvocationError) {
                _ = try await test.host.invoker.invoke(.slot(slot), method: "crash", payload: [])
                Issue.record("crash returned")
            } catch {
                #expect(error.code == .unavailable, "\(error)")
                #expect(error.message.contains("died of SIGSEGV during invoke of adapter:probe:iso crash"), "\(error)")
            }
            // The very next call fails over: the breaker opened before the failure returned.
            let next = try await test.host.invoker.invoke(.slot(slot), method: "pid", payload: [])
            #expect(next.provider == inProcess)
            #expect(test.host.events.events(kinds: [.isolatedProcessEnded]).count == 1)
            // The host and its other plugins never stopped serving.
            #expect(try await Self.text(test, inProcess, "echo", "still here") == "still here")

            // Restarted after the back-off, health-checked, its breaker half-open: serves again.
            try await eventually("the isolated process restarts", timeout: .seconds(10)) {
                !test.host.events.events(kinds: [.isolatedProcessRestarted]).isEmpty
            }
            let secondPid = try await Self.text(test, isolated, "pid")
            #expect(secondPid != firstPid)
            let report = try #require(test.host.plugin(file: test.pluginsDirectory + "/iso.so"))
            #expect(report.isolation?.process?.restarts == 1)
            #expect(report.isolation?.process?.lastEnd == "died of SIGSEGV")
        }
    }

    @Test func everyKindOfEndIsNamedAndSurvived() async throws {
        try await Self.withProbes({
            $0.isolation.restart.initialBackOff = .milliseconds(50)
            $0.isolation.restart.quarantineAfter = 100
        }) { test in
            let cases: [(method: String, end: String, code: InvocationError.Code?)] = [
                ("abort", "died of SIGABRT during invoke of adapter:probe:iso abort", nil),
                ("exit", "exited with status 3 during invoke of adapter:probe:iso exit", nil),
                ("hang", "adapter:probe:iso hang ", .timeout),
            ]
            for (index, entry) in cases.enumerated() {
                let started = ContinuousClock.now
                do throws(InvocationError) {
                    _ = try await Self.text(test, isolated, entry.method, timeout: .milliseconds(500))
                    Issue.record("\(entry.method) returned")
                } catch {
                    #expect(error.message.contains(entry.end), "\(entry.method): \(error)")
                    if let code = entry.code { #expect(error.code == code, "\(error)") }
                }
                #expect(ContinuousClock.now - started < .seconds(4), "\(entry.method) was not waited out")
                try await eventually("restart \(index + 1)", timeout: .seconds(10)) {
                    test.host.events.events(kinds: [.isolatedProcessRestarted]).count == index + 1
                }
                #expect(try await Self.text(test, inProcess, "echo", "ok") == "ok")
                // After its restart the isolated provider serves again (once its breaker lets a trial through).
                try await eventually("iso serves again", timeout: .seconds(10)) {
                    (try? await Self.text(test, isolated, "echo", "back")) == "back"
                }
            }
            // Whoever answered the hung call first (the caller's timer or the process's
            // deadline), the process was killed for it.
            let ends = test.host.events.events(kinds: [.isolatedProcessEnded]).map(\.reason)
            #expect(ends.count == 3)
            #expect(ends.last?.contains("was killed by the host (invoke of adapter:probe:iso hang overran its deadline)") == true, "\(ends)")
        }
    }

    @Test func aPluginThatKeepsCrashingIsQuarantinedUntilAnOperatorResumesIt() async throws {
        let marker = try TemporaryFolder("crash-marker")
        defer { marker.remove() }
        let file = marker.path + "/crash"
        FileManager.default.createFile(atPath: file, contents: Data())
        try await TestHost.with({
            $0.isolation.modes["loop"] = .process
            $0.isolation.restart.initialBackOff = .milliseconds(20)
            $0.isolation.restart.quarantineAfter = 3
            $0.pluginConfigs["loop"] = #"{"crash_while_file_exists": "\#(file)"}"#
        }) { test in
            let loop = CapabilityID(slot: SlotKey(domain: "adapter", category: "probe"), provider: "loop")
            // Loads fine: the crash comes from a thread 100 ms after create, in every process.
            let report = try await test.load("isolation_probe.c", as: "loop.so", defines: ["CAP_PROVIDER": FixturePlugins.quoted("loop")])
            try #require(report.state == .loaded, "\(String(describing: report.error))")
            _ = try await test.load("noop.c", as: "noop.so")
            try await eventually("quarantined", timeout: .seconds(15)) {
                test.host.plugin(file: test.pluginsDirectory + "/loop.so")?.isolation?.process?.state == .quarantined
            }
            let status = try #require(test.host.plugin(file: test.pluginsDirectory + "/loop.so")?.isolation?.process)
            #expect(status.detail?.contains("its process ended 3 times within 60.0 seconds (last: died of SIGSEGV); resume it once fixed") == true,
                    "\(String(describing: status.detail))")
            #expect(test.host.events.events(kinds: [.pluginQuarantined]).count == 1)
            let explained = try #require(test.host.explain(loop.slot)?.candidates.first { $0.id == loop.description })
            #expect(explained.reason.hasPrefix("excluded: quarantined: its process ended 3 times"), "\(explained.reason)")
            do throws(InvocationError) {
                _ = try await Self.text(test, loop, "echo", "x")
                Issue.record("a quarantined plugin served")
            } catch {
                #expect(error.message.contains("quarantined"), "\(error)")
            }
            // The host served its other plugins throughout.
            #expect(try await test.host.invoker.invoke(.slot(SlotKey(domain: "adapter", category: "bench")), method: "noop", payload: []).provider.provider == "noop")

            // Fixed (the marker is gone), resumed: a new process serves.
            try FileManager.default.removeItem(atPath: file)
            let done = try await test.host.resume(file: "loop")
            #expect(done.contains("quarantine lifted"), "\(done)")
            try await eventually("loop serves again", timeout: .seconds(10)) {
                (try? await Self.text(test, loop, "echo", "back")) == "back"
            }
            #expect(test.host.plugin(file: test.pluginsDirectory + "/loop.so")?.isolation?.process?.state == .running)
            do throws(LifecycleError) {
                _ = try await test.host.resume(file: "loop")
                Issue.record("resumed a plugin that was not quarantined")
            } catch {
                #expect(error.code == .notQuarantined)
            }
        }
    }

    @Test func aPluginThatExitsInCreateFailsItsLoadAndTheHostServesOn() async throws {
        try await TestHost.with({
            $0.isolation.defaultMode = .process
            $0.pluginConfigs["quitter"] = #"{"exit_in_create": true}"#
        }) { test in
            let report = try await test.load("isolation_probe.c", as: "quitter.so", defines: ["CAP_PROVIDER": FixturePlugins.quoted("quitter")])
            // A process that ends in create() is quarantined, as a probe that crashed would be.
            #expect(report.state == .quarantined)
            #expect(report.error?.check == .create, "\(String(describing: report.error))")
            #expect(report.error?.detail.contains("exited with status 3 during create") == true, "\(String(describing: report.error))")
            let noop = try await test.load("noop.c", as: "noop.so")
            #expect(noop.state == .loaded)
            #expect(noop.isolation?.mode == .process)
            _ = try await test.host.invoker.invoke(.slot(SlotKey(domain: "adapter", category: "bench")), method: "noop", payload: [])
        }
    }

    @Test func whatAPluginForksDiesWithItsProcessAndTheHostIsUntouched() async throws {
        let forked: pid_t = try await TestHost.with({ $0.isolation.defaultMode = .process }) { test in
            let report = try await test.load("isolation_probe.c", as: "forker.so", defines: ["CAP_PROVIDER": FixturePlugins.quoted("forker")])
            try #require(report.state == .loaded)
            let forker = CapabilityID(slot: SlotKey(domain: "adapter", category: "probe"), provider: "forker")
            let child = try #require(pid_t(try await Self.text(test, forker, "fork")))
            #expect(kill(child, 0) == 0, "the forked process runs")
            // Calls still work after the fork.
            #expect(try await Self.text(test, forker, "echo", "after fork") == "after fork")
            return child
        }
        // The host stopped: the plugin's process group went with its process.
        try await eventually("the forked process is gone", timeout: .seconds(5)) { kill(forked, 0) != 0 }
    }

    @Test func limitsFromTheConfigurationApplyToTheProcess() async throws {
        try await TestHost.with({
            $0.isolation.defaultMode = .process
            $0.isolation.restart.initialBackOff = .milliseconds(20)
            $0.isolation.limits["tight"] = IsolationSettings.Limits(memoryBytes: 1 << 30, cpuSeconds: 1)
        }) { test in
            let report = try await test.load("isolation_probe.c", as: "tight.so", defines: ["CAP_PROVIDER": FixturePlugins.quoted("tight")])
            try #require(report.state == .loaded, "\(String(describing: report.error))")
            #expect(report.isolation?.process?.limits == IsolationSettings.Limits(memoryBytes: 1 << 30, cpuSeconds: 1))
            let tight = CapabilityID(slot: SlotKey(domain: "adapter", category: "probe"), provider: "tight")
            // Within the address space limit, then past it: malloc fails inside the plugin.
            #expect(try await Self.text(test, tight, "allocate", "64") == "allocated")
            do throws(InvocationError) {
                _ = try await Self.text(test, tight, "allocate", "2048")
                Issue.record("a 2 GiB allocation succeeded under a 1 GiB limit")
            } catch {
                #expect(error.message.contains("malloc failed"), "\(error)")
            }
            // One CPU second: SIGXCPU ends the process, which restarts.
            do throws(InvocationError) {
                _ = try await Self.text(test, tight, "burn", "5", timeout: .seconds(20))
                Issue.record("burnt 5 s of CPU under a 1 s limit")
            } catch {
                #expect(error.message.contains("died of SIGXCPU"), "\(error)")
            }
            try await eventually("tight restarts", timeout: .seconds(10)) {
                !test.host.events.events(kinds: [.isolatedProcessRestarted]).isEmpty
            }
        }
    }

    @Test func aPluginThatHoldsAllItsCallThreadsMovesToItsOwnProcess() async throws {
        try await TestHost.with({
            $0.invocation.maxCallsPerPlugin = 2
            $0.invocation.breakerThreshold = 10_000
        }) { test in
            let report = try await test.load("invoke_hang.c", as: "hang.so")
            #expect(report.isolation?.mode == .inProcess)
            let hang = CapabilityID(slot: SlotKey(domain: "adapter", category: "hostile"), provider: "invoke-hang")
            // Two calls hang in the host for good; the third is refused and moves the plugin.
            for _ in 1...3 {
                _ = try? await test.host.invoker.invoke(.provider(hang), method: "hang", payload: [], timeout: .milliseconds(100))
            }
            try await eventually("hang.so reloaded in its own process", timeout: .seconds(10)) {
                test.host.plugin(file: test.pluginsDirectory + "/hang.so")?.isolation?.mode == .process
            }
            let moved = try #require(test.host.plugin(file: test.pluginsDirectory + "/hang.so")?.isolation)
            #expect(moved.reason.contains("it held all 2 of its call threads in-process (hung calls)"), "\(moved.reason)")
            let changed = test.host.events.events(kinds: [.isolationChanged])
            #expect(changed.count == 1 && changed.first?.reason.contains("reloading it in its own process") == true, "\(changed)")
            // Isolated, a hung call is killed at its deadline instead of keeping a thread.
            for _ in 1...3 {
                do throws(InvocationError) {
                    _ = try await test.host.invoker.invoke(.provider(hang), method: "hang", payload: [], timeout: .milliseconds(200))
                    Issue.record("a hanging call returned")
                } catch {
                    #expect(error.code == .timeout, "\(error)")
                }
                try await eventually("the killed process restarts", timeout: .seconds(10)) {
                    (try? await test.host.invoker.invoke(.provider(hang), method: "ok", payload: [])) != nil
                }
            }
            #expect(test.host.events.events(kinds: [.isolatedProcessEnded]).count == 3)
        }
    }
}

func caphost_monotonic_ns_for_tests() -> UInt64 {
    var time = timespec()
    clock_gettime(CLOCK_MONOTONIC, &time)
    return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
}
