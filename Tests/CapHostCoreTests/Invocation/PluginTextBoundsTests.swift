@testable import CapHostCore
import CapHostTestSupport
import Foundation
import Testing

/// Text a plugin hands the host — error messages, log lines — is bounded before anyone sees it:
/// at most 4 KiB, valid UTF-8, control characters escaped, and the cut said. A plugin cannot
/// fill a caller's answer or the host's log, nor forge a log line.
@Suite(.serialized) struct PluginTextBoundsTests {
    static let slot = SlotKey(domain: "adapter", category: "loud")

    /// A host whose log is captured, with the loud-text fixture loaded.
    static func withLoudHost(_ body: (CapabilityHost, CapturedLog) async throws -> Void) async throws {
        let folder = try TemporaryFolder("loud")
        defer { folder.remove() }
        let plugins = try folder.folder("plugins.d")
        var configuration = HostConfiguration(pluginsDirectory: plugins, stateDirectory: folder.file("state"))
        configuration.probe.runnerPath = FixturePlugins.buildProductsDirectory + "/caphost-runner"
        configuration.watcher.enabled = false
        let log = CapturedLog()
        let host = try CapabilityHost(configuration: configuration, logger: log.logger(label: "caphost.loud-test"), keyValueStore: nil)
        try await withStopping(host, stop: { await $0.stop(drainTimeout: .seconds(2)) }) { host in
            let file = try FixturePlugins.install(try FixturePlugins.build("loud_text.c"), into: plugins, as: "loud.so")
            let report = await host.load(file: file)
            #expect(report.state == .loaded, "\(String(describing: report.error))")
            try await body(host, log)
        }
    }

    static func failure(_ host: CapabilityHost, _ method: String, _ payload: [UInt8]) async -> InvocationError? {
        do {
            _ = try await host.invoker.invoke(.slot(slot), method: method, payload: payload)
            return nil
        } catch {
            return error
        }
    }

    @Test func aHugeErrorMessageIsCutTo4KiBSayingHowMuchWasCut() async throws {
        try await Self.withLoudHost { host, _ in
            let error = await Self.failure(host, "fail_huge", [])
            let message = try #require(error?.message)
            #expect(error?.code == .internal)
            #expect(message.utf8.count < 4096 + 200, "\(message.utf8.count) bytes")
            #expect(message.contains(": huge:xxxx"))
            #expect(message.hasSuffix("… (1044480 more bytes cut)"), "\(message.suffix(80))")
        }
    }

    @Test func controlCharactersAreEscapedAndInvalidUTF8Replaced() async throws {
        try await Self.withLoudHost { host, log in
            let hostile = Array("red \u{1B}[31m\nFAKE log line\r\u{0}\ttab \u{202E}gnp.exe".utf8) + [0xFF, 0xFE] + Array(" end".utf8)
            let error = await Self.failure(host, "fail", hostile)
            let message = try #require(error?.message)
            #expect(message.hasSuffix(#"red \u{1B}[31m\nFAKE log line\r\u{0}"# + "\ttab " + #"\u{202E}gnp.exe"# + "\u{FFFD}\u{FFFD} end"), "\(message)")
            #expect(!message.unicodeScalars.contains { $0.value < 0x20 && $0 != "\t" })

            _ = try await host.invoker.invoke(.slot(Self.slot), method: "log", payload: hostile)
            let line = try #require(log.all.first { $0.contains("FAKE log line") })
            #expect(line.contains(#"\u{1B}[31m\nFAKE log line\r"#), "\(line)")
            #expect(!line.contains("\n") && !line.contains("\u{1B}"))

            _ = try await host.invoker.invoke(.slot(Self.slot), method: "log", payload: Array(repeating: UInt8(ascii: "y"), count: 100_000))
            let long = try #require(log.all.first { $0.contains("yyyy") })
            #expect(long.contains("yyyy… (95904 more bytes cut)"), "\(long.suffix(120))")
        }
    }

    @Test func theCutNeverSplitsACharacter() {
        // 4095 ASCII bytes then a 4-byte character: it does not fit and is cut whole.
        let text = String(repeating: "a", count: 4095) + "😀" + "tail"
        let bounded = PluginText.bounded(text)
        #expect(bounded.hasPrefix(String(repeating: "a", count: 4095) + "… (8 more bytes cut)"))
        // Escapes count against the limit: 2049 line breaks become 4098 bytes of "\n".
        let breaks = PluginText.bounded(String(repeating: "\n", count: 2049))
        #expect(breaks == String(repeating: #"\n"#, count: 2048) + "… (1 more bytes cut)")
        #expect(PluginText.bounded("plain ✓ text") == "plain ✓ text")
    }
}
