import CapHostCore
import CapHostTestSupport
import Foundation
import Logging
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// A restart over unchanged plugin files reads none of their bytes (the memo in
/// `<state>/loaded/memo/`), and anything that changed — the file, or the copy in the
/// image store — is read again; a file changed just before it was read is not remembered.
@Suite(.serialized) struct ImageMemoTests {
    /// How the last `plugin_loaded` event of `host` for `file` says its bytes were taken.
    func bytesDetail(_ host: CapabilityHost, _ file: String) -> String? {
        host.events.events(kinds: [.pluginLoaded]).last { $0.subject == file }?.details["bytes"]
    }

    func memoEntries(_ test: TestHost) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: test.stateDirectory + "/loaded/memo")) ?? []).filter { $0.hasSuffix(".json") }
    }

    /// A second host on the same folders, as a restart makes.
    func restarted(_ test: TestHost) throws -> CapabilityHost {
        try CapabilityHost(configuration: test.host.configuration, logger: Logger(label: "caphost.test.restart"))
    }

    func installSettled(_ test: TestHost, provider: String, as name: String) async throws -> String {
        let file = try test.install("noop.c", as: name, defines: providerDefines(name: provider, provider: provider))
        // Older than the memo's settling time (100 ms) when it is read.
        try await Task.sleep(for: .milliseconds(200))
        return file
    }

    @Test func aRestartTakesAnUnchangedFileWithoutReadingIt() async throws {
        try await TestHost.with { test in
            let file = try await installSettled(test, provider: "kept", as: "kept.so")
            let first = await test.host.load(file: file)
            #expect(first.state == .loaded, "\(first.error?.description ?? "")")
            #expect(bytesDetail(test.host, file) == "read and hashed")
            try await eventually("the memo entry is written once the copy is on disk") { memoEntries(test).count == 1 }

            let again = try restarted(test)
            let second = await again.load(file: file)
            #expect(second.state == .loaded, "\(second.error?.description ?? "")")
            #expect(second.digest == first.digest)
            #expect(bytesDetail(again, file) == "unchanged since read at an earlier start; not read again")
            let response = try await again.invoker.invoke(.slot(SlotKey(domain: "adapter", category: "bench")), method: "version", payload: [])
            #expect(response.body.text.contains("\"provider\":\"kept\""))
            await again.stop(drainTimeout: .seconds(2))
        }
    }

    @Test func aFileRewrittenSinceIsReadAgain() async throws {
        try await TestHost.with { test in
            let file = try await installSettled(test, provider: "before", as: "plugin.so")
            let first = await test.host.load(file: file)
            try await eventually("the memo entry is written") { memoEntries(test).count == 1 }

            _ = try await installSettled(test, provider: "after", as: "plugin.so")
            let again = try restarted(test)
            let second = await again.load(file: file)
            #expect(second.state == .loaded, "\(second.error?.description ?? "")")
            #expect(second.digest != first.digest)
            #expect(second.capabilities == ["adapter:bench:after"])
            #expect(bytesDetail(again, file) == "read and hashed")
            await again.stop(drainTimeout: .seconds(2))
        }
    }

    /// A copy in the image store touched after it was remembered (here: replaced with
    /// another plugin's bytes) is not vouched for: the file is read, the copy rewritten.
    /// (Replaced by a rename: rewriting in place a copy this process has mapped would
    /// corrupt the mapping, REFERENCE §6.)
    @Test func aTouchedCopyIsNotTrusted() async throws {
        try await TestHost.with { test in
            let file = try await installSettled(test, provider: "genuine", as: "genuine.so")
            let first = await test.host.load(file: file)
            try await eventually("the memo entry is written") { memoEntries(test).count == 1 }
            let copy = "\(test.stateDirectory)/loaded/\(first.digest ?? "").so"
            let tampered = try FixturePlugins.build("noop.c", defines: providerDefines(name: "tampered", provider: "tampered"))
            try FileManager.default.copyItem(atPath: tampered, toPath: copy + ".planted")
            #expect(rename(copy + ".planted", copy) == 0)

            let again = try restarted(test)
            let second = await again.load(file: file)
            #expect(second.state == .loaded, "\(second.error?.description ?? "")")
            #expect(second.capabilities == ["adapter:bench:genuine"])
            #expect(bytesDetail(again, file) == "read and hashed")
            #expect(try Data(contentsOf: URL(fileURLWithPath: copy)) == Data(contentsOf: URL(fileURLWithPath: file)), "the copy was rewritten")
            await again.stop(drainTimeout: .seconds(2))
        }
    }

    /// A second write within one timestamp tick would leave a file's times unchanged, so a
    /// file changed just before it was read is never remembered.
    @Test func aFileChangedJustBeforeItWasReadIsNotRemembered() async throws {
        try await TestHost.with { test in
            let fresh = try test.install("noop.c", as: "fresh.so", defines: providerDefines(name: "fresh", provider: "fresh"))
            #expect(await test.host.load(file: fresh).state == .loaded)
            let settled = try await installSettled(test, provider: "settled", as: "settled.so")
            #expect(await test.host.load(file: settled).state == .loaded)
            // Entries are written in order: once the later file's is there, the earlier one's would be.
            try await eventually("the settled file's memo entry is written") { memoEntries(test).count >= 1 }
            #expect(memoEntries(test).count == 1)

            let again = try restarted(test)
            #expect(await again.load(file: fresh).state == .loaded)
            #expect(bytesDetail(again, fresh) == "read and hashed")
            await again.stop(drainTimeout: .seconds(2))
        }
    }
}
