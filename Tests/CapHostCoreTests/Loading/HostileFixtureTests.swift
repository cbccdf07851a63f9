import CapHostCore
import CapHostTestSupport
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// SPEC §8's hostile corpus: every fixture is refused with a message naming
/// the file and the failed check, and the host keeps serving a good plugin.
@Suite(.serialized) struct HostileFixtureTests {
    struct Case: CustomTestStringConvertible, Sendable {
        let fixture: String
        let check: PluginLoadError.Check
        let state: PluginReport.State
        let expected: String
        var testDescription: String { fixture }
    }

    static let loadTimeCases: [Case] = [
        Case(fixture: "bad_magic.c", check: .descriptor, state: .failed, expected: "magic is 0xDEADBEEF, expected 0x3154534F48504143"),
        Case(fixture: "abi_major_mismatch.c", check: .descriptor, state: .failed, expected: "abi_major is 2, this host speaks ABI 1.4"),
        Case(fixture: "oversized_struct.c", check: .descriptor, state: .failed, expected: "struct_size is 240 bytes, larger than this host's cap_plugin (176 bytes)"),
        Case(fixture: "null_invoke.c", check: .descriptor, state: .failed, expected: "required function invoke is NULL"),
        Case(fixture: "no_entry.c", check: .entry, state: .failed, expected: "missing entry symbol cap_plugin_entry_v1"),
        Case(fixture: "invalid_utf8_name.c", check: .descriptor, state: .failed, expected: "capabilities[0].provider is not valid UTF-8 (bad byte 0xFF at offset 13)"),
        Case(fixture: "bad_name.c", check: .descriptor, state: .failed, expected: "capabilities[0].category 'Bad Category!' must start with a lower-case letter or digit (found 'B')"),
        Case(fixture: "duplicate_provider.c", check: .descriptor, state: .failed, expected: "duplicate provider: capabilities[0] and capabilities[1] are both adapter:hostile:duplicate-provider"),
        Case(fixture: "create_fails.c", check: .create, state: .failed, expected: "create() returned INVALID_ARGUMENT: config key 'api_key' is required"),
        Case(fixture: "create_crash.c", check: .probe, state: .quarantined, expected: "crashed with SIGSEGV during create in the probe process; quarantined"),
        Case(fixture: "create_hang.c", check: .probe, state: .quarantined, expected: "hung for 2.0 seconds during create in the probe process (killed); quarantined"),
        Case(fixture: "health_fails.c", check: .health, state: .failed, expected: "health check returned UNAVAILABLE: upstream unreachable"),
    ]

    @Test(arguments: loadTimeCases)
    func hostileFixtureIsRefusedWithItsReason(_ testCase: Case) async throws {
        try await TestHost.with({ $0.probe.timeout = .seconds(2) }) { test in
            try await Self.expectRefused(testCase, by: test)
        }
    }

    /// Loads `testCase`'s fixture beside a good plugin and checks the refusal, its reason,
    /// and that the good plugin still serves.
    static func expectRefused(_ testCase: Case, by test: TestHost) async throws {
        try await test.load("noop.c", as: "good.so", defines: providerDefines(name: "good", provider: "good"))
        let file = try test.install(testCase.fixture, as: "hostile.so")

        let report = await test.host.load(file: file)

        #expect(report.state == testCase.state)
        #expect(report.error?.file == file)
        #expect(report.error?.check == testCase.check)
        #expect(report.error?.detail.contains(testCase.expected) == true, "got: \(report.error?.description ?? "no error")")
        #expect(test.host.plugin(file: file)?.error == report.error)
        let response = try await test.host.invoker.invoke(.slot(SlotKey(domain: "adapter", category: "bench")), method: "version", payload: [])
        #expect(response.body.text.contains("\"provider\":\"good\""))
    }

    /// The same corpus with every plugin in its own process: refused with the same messages
    /// (the child reports the check that failed), a crash or hang in create quarantined with
    /// the signal or deadline named, and the host serving the good plugin throughout.
    static let isolatedCases: [Case] = loadTimeCases.map { testCase in
        switch testCase.fixture {
        case "create_crash.c": Case(fixture: testCase.fixture, check: .create, state: .quarantined, expected: "died of SIGSEGV during create")
        case "create_hang.c": Case(fixture: testCase.fixture, check: .create, state: .quarantined, expected: "create overran its deadline; its isolated process (pid")
        default: testCase
        }
    }

    @Test(arguments: isolatedCases)
    func hostileFixtureIsRefusedWithItsReasonInIsolatedMode(_ testCase: Case) async throws {
        try await TestHost.with({
            $0.isolation.defaultMode = .process
            $0.createTimeout = .seconds(2)
        }) { test in
            try await Self.expectRefused(testCase, by: test)
            #expect(test.host.plugin(file: test.pluginsDirectory + "/good.so")?.isolation?.process?.state == .running)
        }
    }

    @Test func callTimeMisbehaviourInIsolatedModeGetsTheSameAnswers() async throws {
        try await TestHost.with({ $0.isolation.defaultMode = .process }) { test in
            try #require(try await test.load("huge_response.c", as: "huge.so").state == .loaded)
            try #require(try await test.load("garbage_status.c", as: "garbage.so").state == .loaded)
            let huge = CapabilityID(slot: SlotKey(domain: "adapter", category: "hostile"), provider: "huge-response")
            do throws(InvocationError) {
                _ = try await test.host.invoker.invoke(.provider(huge), method: "huge", payload: [])
                Issue.record("a 32 MiB response was accepted")
            } catch {
                #expect(error.code == .responseTooLarge, "\(error)")
                #expect(error.message.contains("returned 33554432 bytes, more than the host's limit of 16777216 bytes"), "\(error)")
            }
            // The channel stayed in step: the same process answers the next call.
            let stats = try await test.host.invoker.invoke(.provider(huge), method: "stats", payload: [])
            #expect(stats.body.text == #"{"released":1}"#, "the plugin released its buffer in its own process: \(stats.body.text)")
            let garbage = CapabilityID(slot: SlotKey(domain: "adapter", category: "hostile"), provider: "garbage-status")
            do throws(InvocationError) {
                _ = try await test.host.invoker.invoke(.provider(garbage), method: "bad", payload: [])
                Issue.record("garbage status accepted")
            } catch {
                #expect(error.code == .internal)
                #expect(error.message.contains("returned unknown status 4242 (ABI 1.0 defines 0...9); treated as INTERNAL"), "\(error)")
            }
        }
    }

    @Test func fileChecksRefuseNotELFWrongArchitectureTruncatedAndWritableFiles() async throws {
        try await TestHost.with { test in
            try await test.load("noop.c", as: "good.so", defines: providerDefines(name: "good", provider: "good"))
            let good = try Array(Data(contentsOf: URL(fileURLWithPath: try FixturePlugins.build("noop.c"))))

            func write(_ bytes: [UInt8], as name: String, mode: mode_t = 0o755) throws -> String {
                let path = "\(test.pluginsDirectory)/\(name)"
                try Data(bytes).write(to: URL(fileURLWithPath: path))
                chmod(path, mode)
                return path
            }
            var arm = good
            arm[18] = 183; arm[19] = 0
            let cases: [(file: String, check: PluginLoadError.Check, expected: String)] = [
                (try write(Array("#!/bin/sh\necho not a library\n".utf8), as: "script.so"), .elf, "not an ELF file (starts with 23 21 2F 62; expected 7F 45 4C 46)"),
                (try write([], as: "empty.so"), .elf, "the file is empty"),
                (try write(arm, as: "arm.so"), .elf, "built for AArch64 (e_machine 183), this host is x86-64 (e_machine 62)"),
                (try write(Array(good.prefix(good.count / 2)), as: "truncated.so"), .elf, "truncated or corrupt: "),
                (try write(good, as: "writable.so", mode: 0o666), .file, "file is group- or world-writable (mode 0666)"),
            ]
            for testCase in cases {
                let report = await test.host.load(file: testCase.file)
                #expect(report.state == .failed)
                #expect(report.error?.check == testCase.check, "\(testCase.file): \(report.error?.description ?? "")")
                #expect(report.error?.detail.contains(testCase.expected) == true, "\(testCase.file): \(report.error?.description ?? "")")
            }
            #expect(test.host.resolve(SlotKey(domain: "adapter", category: "bench"))?.provider == "good")
        }
    }
}
