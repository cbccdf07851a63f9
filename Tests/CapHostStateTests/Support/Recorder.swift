import CapHostCore
import CapHostTestSupport
import Foundation

/// The recorder fixture (Tests/Fixtures/Plugins/recorder.c) as tests use it:
/// defines and config for one provider, and the lines it recorded.
struct Recorder: Sendable {
    /// One line of a record file: `<idempotency key>\t<payload>`.
    struct Line: Hashable, Sendable {
        let key: String
        let payload: String
    }

    let provider: String
    let priority: Int
    let recordFile: String
    let failFile: String
    let holdFile: String
    let delayMilliseconds: Int

    static let slot = SlotKey(domain: "adapter", category: "journal")

    /// A provider recording into `directory`. `run` names its hold file, so a
    /// second host's instance of the same provider is not frozen by the first's.
    init(provider: String, priority: Int = 0, in directory: TemporaryFolder, delayMilliseconds: Int = 0, run: Int = 1) {
        self.provider = provider
        self.priority = priority
        self.recordFile = directory.file("\(provider).records")
        self.failFile = directory.file("\(provider).fail")
        self.holdFile = directory.file("\(provider)-run\(run).hold")
        self.delayMilliseconds = delayMilliseconds
    }

    var id: CapabilityID { CapabilityID(slot: Self.slot, provider: provider) }

    /// Builds, configures (a sidecar `recorder-PROVIDER.json`) and loads the provider into `test`.
    @discardableResult
    func load(into test: TestHost) async throws -> PluginReport {
        let config = #"{"record_file":"\#(recordFile)","fail_file":"\#(failFile)","hold_file":"\#(holdFile)","delay_ms":\#(delayMilliseconds)}"#
        try config.write(toFile: "\(test.pluginsDirectory)/recorder-\(provider).json", atomically: true, encoding: .utf8)
        let report = try await test.load("recorder.c", as: "recorder-\(provider).so",
                                         defines: providerDefines(name: "recorder-\(provider)", provider: provider,
                                                                  category: Self.slot.category, priority: priority))
        guard report.state == .loaded else { throw FixtureError("recorder \(provider) did not load: \(report)") }
        return report
    }

    /// Makes every call fail with CAP_UNAVAILABLE until `recover()`.
    func failCalls() throws { try Data().write(to: URL(fileURLWithPath: failFile)) }
    func recover() { try? FileManager.default.removeItem(atPath: failFile) }

    /// Freezes calls in flight (after their delay, before they record) until `release()`.
    func hold() throws { try Data().write(to: URL(fileURLWithPath: holdFile)) }
    func release() { try? FileManager.default.removeItem(atPath: holdFile) }

    /// Every line recorded so far, in file order; fails the test on a half-written line.
    func lines() throws -> [Line] {
        guard let data = FileManager.default.contents(atPath: recordFile) else { return [] }
        let text = String(decoding: data, as: UTF8.self)
        guard text.isEmpty || text.hasSuffix("\n") else { throw FixtureError("\(recordFile) ends in half a line") }
        return text.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map { line in
            let parts = line.split(separator: "\t", maxSplits: 1, omittingEmptySubsequences: false)
            return Line(key: String(parts[0]), payload: parts.count > 1 ? String(parts[1]) : "")
        }
    }
}
