import CapHostTestSupport
import Foundation
import Testing

/// Bounds a client cannot push past: open event streams, JSON-RPC batch size,
/// call threads one plugin may hold; and a shutdown that a hung plugin call
/// cannot hold up.
@Suite(.serialized) struct ExhaustionTests {
    /// A served host with invoke_hang.c (adapter:hostile, method hang never returns) and
    /// noop.c (adapter:bench), a 1 s drain and a breaker that does not open.
    static func hangingHost(maxCallsPerPlugin: Int) throws -> ServedHost {
        try ServedHost(plugins: ["hang.so": try FixturePlugins.build("invoke_hang.c"),
                                 "noop.so": try FixturePlugins.build("noop.c")],
                       config: """
                       drain_timeout: 1s
                       invocation:
                         max_calls_per_plugin: \(maxCallsPerPlugin)
                         breaker_threshold: 1000
                       isolation:
                         after_call_threads_exhausted: refuse
                       """)
    }

    @Test func eventStreamsAreCappedAndAClosedOneFreesItsPlace() async throws {
        let host = try ServedHost(config: "http:\n  max_event_streams: 2\n  keep_alive_interval: 100ms\n")
        try await host.start()
        let head = { RawHTTP.head("GET", "/v1/events", port: host.port, headers: ["Authorization: Bearer \(host.token)", "Accept: text/event-stream"]) }
        let first = try RawHTTP.openStream(port: host.port, head())
        let second = try RawHTTP.openStream(port: host.port, head())
        #expect(first.status == 200 && second.status == 200)
        let third = try RawHTTP.exchange(port: host.port, head())
        #expect(third.status == 503, "\(third.status) \(third.body)")
        #expect(third.body.contains("too_many_streams") && third.body.contains("http.max_event_streams"), "\(third.body)")
        #expect(third.header("Retry-After") == "5")
        first.close()
        // The server notices the closed stream when a write fails (keep-alives every 100 ms).
        var reopened: RawHTTP.OpenStream?
        let deadline = ContinuousClock.now + .seconds(30)
        while reopened == nil && ContinuousClock.now < deadline {
            let attempt = try RawHTTP.openStream(port: host.port, head())
            if attempt.status == 200 { reopened = attempt } else { try await Task.sleep(for: .milliseconds(200)) }
        }
        #expect(reopened != nil, "a closed stream's place was never given back")
        second.close()
        reopened?.close()
        await host.stop()
    }

    @Test func aJSONRPCBatchLargerThanTheLimitIsRefusedWhole() async throws {
        let host = try ServedHost()
        try await host.start()
        let mcpHeaders = ["Content-Type: application/json", "Accept: application/json, text/event-stream"]
        let initialize = try host.authorized("POST", "/mcp", headers: mcpHeaders, body: """
            {"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-03-26","capabilities":{},"clientInfo":{"name":"probe","version":"1"}}}
            """)
        #expect(initialize.status == 200, "\(initialize.body)")
        let session = try #require(initialize.header("Mcp-Session-Id"))
        let sessionHeaders = mcpHeaders + ["Mcp-Session-Id: \(session)", "MCP-Protocol-Version: 2025-03-26"]
        let batch = { (count: Int) in "[" + (1...count).map { #"{"jsonrpc":"2.0","id":\#($0),"method":"ping"}"# }.joined(separator: ",") + "]" }
        let allowed = try host.authorized("POST", "/mcp", headers: sessionHeaders, body: batch(64))
        #expect(allowed.status == 200)
        #expect(allowed.body.components(separatedBy: #""result""#).count - 1 == 64, "\(allowed.body.prefix(300))")
        let refused = try host.authorized("POST", "/mcp", headers: sessionHeaders, body: batch(10_000))
        #expect(refused.body.contains("the batch holds 10000 messages; at most 64 are accepted in one batch"), "\(refused.body.prefix(300))")
        #expect(!refused.body.contains(#""result""#), "no member of a refused batch ran")
        await host.stop()
    }

    @Test func aHungCallHoldsItsPluginsShareAndCannotHoldUpShutdown() async throws {
        let host = try Self.hangingHost(maxCallsPerPlugin: 2)
        try await host.start()
        let hang = { try host.authorized("POST", "/v1/invoke/adapter/hostile/hang", headers: ["Caphost-Timeout: 0.3"]) }
        #expect(try hang().status == 504)
        #expect(try hang().status == 504)
        // Both of the plugin's threads still run its hung code: a third call is refused at once.
        let third = try hang()
        #expect(third.status == 503, "\(third.body)")
        #expect(third.body.contains("overloaded") && third.body.contains("invocation.max_calls_per_plugin"), "\(third.body)")
        // Everyone else is served.
        let echo = try host.authorized("POST", "/v1/invoke/adapter/bench/echo", headers: ["Content-Type: application/json"], body: #"{"text":"x"}"#)
        #expect(echo.status == 200, "\(echo.body)")

        // SIGTERM: the host waits for the hung calls up to drain_timeout, then exits on its own, naming them.
        let status = await host.serve.stop(timeout: .seconds(60))
        #expect(host.serve.process.terminationReason == .exit, "caphost serve had to be killed: \(host.serve.log().suffix(2000))")
        #expect(status == 0, "\(host.serve.log().suffix(2000))")
        let log = host.serve.log()
        #expect(log.contains("abandoned: invoke-hang 1.0.0 (adapter:hostile:invoke-hang): 2 call(s) still in flight"), "\(log.suffix(2000))")
        await host.stop()
    }

    @Test func callsHungOnMoreThreadsThanCoresDoNotStopTheAPI() async throws {
        let host = try Self.hangingHost(maxCallsPerPlugin: 6)
        try await host.start()
        // A request's call runs on the call thread that serves the request; six hung
        // calls keep six of them, more than the cores the pool starts threads for.
        for attempt in 1...6 {
            let hung = try host.authorized("POST", "/v1/invoke/adapter/hostile/hang", headers: ["Caphost-Timeout: 0.2"])
            #expect(hung.status == 504, "call \(attempt): \(hung.status) \(hung.body)")
        }
        let health = try RawHTTP.exchange(port: host.port, RawHTTP.head("GET", "/healthz", port: host.port))
        #expect(health.status == 200, "\(health.body)")
        for attempt in 1...20 {
            let echo = try host.authorized("POST", "/v1/invoke/adapter/bench/echo", headers: ["Content-Type: application/json"],
                                           body: #"{"text":"x"}"#)
            #expect(echo.status == 200, "call \(attempt): \(echo.body)")
        }
        await host.stop()
    }
}
