import CapHostCore
import CapHostTestSupport
import Foundation
import Testing

/// ABI 1.1: a plugin sees the idempotency key of the call it serves.
@Suite(.serialized) struct CallIdempotencyKeyTests {
    @Test func theRecorderSeesTheKeyOfAGuardedCall() async throws {
        let directory = try TemporaryFolder("state-test")
        defer { directory.remove() }
        try await TestHost.with { test in
            let recorder = Recorder(provider: "alpha", in: directory)
            try await recorder.load(into: test)

            let keyed = try await test.host.invoker.invoke(.slot(Recorder.slot), method: "record", payload: Array(#"{"n":1}"#.utf8),
                                                          idempotencyKey: "order-7/ü")
            #expect(keyed.body.text == #"{"ok":true}"#)
            _ = try await test.host.invoker.invoke(.provider(recorder.id), method: "record", payload: Array(#"{"n":2}"#.utf8))
            // The synchronous path never carries a key.
            let site = try test.host.invoker.callSite(.slot(Recorder.slot), method: "record")
            try Array(#"{"n":3}"#.utf8).withUnsafeBytes { payload in
                try test.host.invoker.invoke(site, payload: payload) { _ in }
            }

            #expect(try recorder.lines() == [
                Recorder.Line(key: "order-7/ü", payload: #"{"n":1}"#),
                Recorder.Line(key: "", payload: #"{"n":2}"#),
                Recorder.Line(key: "", payload: #"{"n":3}"#),
            ])
        }
    }

    @Test func aKeyLongerThan256BytesIsRefusedBeforeThePluginRuns() async throws {
        let directory = try TemporaryFolder("state-test")
        defer { directory.remove() }
        try await TestHost.with { test in
            let recorder = Recorder(provider: "alpha", in: directory)
            try await recorder.load(into: test)
            await #expect {
                _ = try await test.host.invoker.invoke(.slot(Recorder.slot), method: "record", payload: [],
                                                       idempotencyKey: String(repeating: "k", count: 257))
            } throws: { error in
                let error = try #require(error as? InvocationError)
                return error.code == .invalidArgument && error.message == "idempotency key is 257 bytes; at most 256 are allowed"
            }
            #expect(try recorder.lines().isEmpty)
        }
    }

    @Test func aBadRecorderConfigIsRefusedNamingTheKey() async throws {
        try await TestHost.with { test in
            try #"{"record_file":"/tmp/x","colour":"blue"}"#.write(toFile: "\(test.pluginsDirectory)/recorder-bad.json", atomically: true, encoding: .utf8)
            let report = try await test.load("recorder.c", as: "recorder-bad.so", defines: providerDefines(name: "recorder-bad", provider: "bad", category: "journal"))
            #expect(report.state != .loaded)
            #expect(report.error?.detail.contains("config: unknown key 'colour' (expected record_file, delay_ms, fail_every, fail_file, hold_file)") == true,
                    "\(String(describing: report.error))")
        }
    }
}
