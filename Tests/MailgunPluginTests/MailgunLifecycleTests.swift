import CapHostCore
import CapHostTestSupport
import Foundation
import Testing

/// The instance's HTTP client runs on one event loop thread of its own, and destroying the
/// instance stops it: a Swift plugin is never unloaded (REFERENCE §6), so a thread left behind
/// would run forever.
@Suite(.serialized) struct MailgunLifecycleTests {
    static let domain = "mg.example.com"
    static let apiKey = "key-lifecycle-03ab"

    /// Threads of this process whose name marks a SwiftNIO event loop (`NIO-ELT-…`).
    static func eventLoopThreads() -> Int {
        let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task")) ?? []
        return tasks.filter { task in
            let name = (try? String(contentsOfFile: "/proc/self/task/\(task)/comm", encoding: .utf8)) ?? ""
            return name.hasPrefix("NIO-ELT")
        }.count
    }

    @Test func destroyingTheInstanceStopsItsEventLoopThread() async throws {
        try await MailgunPeer.withPeer(domain: Self.domain, apiKey: Self.apiKey) { peer in
            let before = Self.eventLoopThreads()
            let test = try await MailgunHost.start(config: MailgunHost.config(for: peer, apiKey: Self.apiKey))
            #expect(test.report.state == .loaded, "\(test.report.error?.description ?? "")")
            _ = try await test.send(basicMessage())
            let running = Self.eventLoopThreads()
            await test.stop()
            var after = Self.eventLoopThreads()
            for _ in 0..<50 where after > before {
                try await Task.sleep(for: .milliseconds(100))
                after = Self.eventLoopThreads()
            }
            #expect(running == before + 1, "the instance should run exactly one event loop thread")
            #expect(after == before, "the event loop thread outlived the instance")
        }
    }
}
