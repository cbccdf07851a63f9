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
    static func eventLoopThreads() -> Int { ProcessThreads.count(named: "NIO-ELT") }

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

    /// Log lines saying the instance started its HTTP client.
    static func clientStarts(in log: CapturedLog) -> Int {
        log.all.filter { $0.contains("mailgun: HTTP client started") }.count
    }

    /// The client and its thread start at the first exchange: an instance whose configuration
    /// never lets it talk to Mailgun (here: no domain, so its load-time health check fails
    /// before any request) never starts them, and one that does starts them once.
    @Test func theHTTPClientStartsAtTheFirstExchangeAndOnlyOnce() async throws {
        let unconfigured = try await MailgunHost.start(config: ["api_key": Self.apiKey])
        #expect(unconfigured.report.state != .loaded)
        #expect(unconfigured.report.error?.description.contains("domain") == true, "\(unconfigured.report.error?.description ?? "")")
        #expect(Self.clientStarts(in: unconfigured.log) == 0, "an instance that made no request started its HTTP client")
        await unconfigured.stop()

        try await MailgunPeer.withPeer(domain: Self.domain, apiKey: Self.apiKey) { peer in
            try await MailgunHost.with(config: MailgunHost.config(for: peer, apiKey: Self.apiKey)) { test in
                #expect(Self.clientStarts(in: test.log) == 1, "the load-time health check should have started the client")
                _ = try await test.send(basicMessage())
                _ = try await test.send(basicMessage())
                #expect(Self.clientStarts(in: test.log) == 1, "each exchange should reuse the one client")
            }
        }
    }

    /// Whether something accepts TCP connections on 127.0.0.1:`port`.
    static func accepts(_ port: Int) -> Bool {
        let socketFD = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(socketFD) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(socketFD, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        } == 0
    }

    static func closes(_ port: Int) async throws -> Bool {
        for _ in 0..<50 {
            if !accepts(port) { return true }
            try await Task.sleep(for: .milliseconds(100))
        }
        return false
    }

    @Test func thePeerStopsWhenItsBodyThrowsAndWhenItsLastReferenceGoes() async throws {
        struct Deliberate: Error {}
        var port = 0
        do {
            try await MailgunPeer.withPeer(domain: Self.domain, apiKey: Self.apiKey) { peer in
                port = peer.port
                #expect(Self.accepts(port))
                throw Deliberate()
            }
        } catch is Deliberate {}
        #expect(try await Self.closes(port), "withPeer left the peer running after its body threw")

        var peer: MailgunPeer? = try await MailgunPeer.start(domain: Self.domain, apiKey: Self.apiKey)
        port = try #require(peer?.port)
        #expect(Self.accepts(port))
        peer = nil
        #expect(try await Self.closes(port), "the peer outlived its last reference")
    }
}
