import CapHostCore
import CapHostTestSupport
import Foundation
import Testing

/// The instance's event loop thread starts at its first exchange with the registry, not in
/// `create`, and stops with the instance.
@Suite(.serialized) struct OneiricLifecycleTests {
    static func eventLoopThreads() -> Int { ProcessThreads.count(named: "NIO-ELT") }

    @Test func theEventLoopThreadStartsAtTheFirstExchangeAndStopsWithTheInstance() async throws {
        let server = try GarbageServer(reply: "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
        defer { server.stop() }
        let before = Self.eventLoopThreads()
        try await OneiricTestHost.with(config: ["transport": "mcp", "mcp": ["url": "http://127.0.0.1:\(server.port)/mcp"],
                                                "timeout": 2, "max_attempts": 1]) { test in
            #expect(Self.eventLoopThreads() == before, "loading the plugin started an event loop thread before any exchange")
            _ = await test.failure("get_adapter", ["adapter_id": "adapter:cache:redis"])
            #expect(Self.eventLoopThreads() == before + 1, "the first exchange should run on one event loop thread of the instance's")
        }
        var after = Self.eventLoopThreads()
        for _ in 0..<50 where after > before {
            try await Task.sleep(for: .milliseconds(100))
            after = Self.eventLoopThreads()
        }
        #expect(after == before, "the event loop thread outlived the instance")
    }
}
