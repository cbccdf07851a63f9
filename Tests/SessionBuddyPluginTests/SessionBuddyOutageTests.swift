import CapHostCore
import CapHostTestSupport
import Foundation
import Testing

/// session-buddy going away and coming back: calls fail UNAVAILABLE naming the URL (so the host
/// can fail the `adapter:memory` slot over), health says so, and after a restart the plugin
/// initialises a new MCP session by itself.
@Suite(.serialized) struct SessionBuddyOutageTests {
    @Test func aKilledServerFailsCallsAndHealthThenARestartedOneServesAgain() async throws {
        try await SessionBuddyPeer.with { peer in
            try await SessionBuddyTestHost.with(config: SessionBuddyTestHost.config(peer, ["timeout": 2])) { test in
                let stored = try await test.call("store", ["content": "pyright reportMissingImports in svc/main.py", "tags": ["pyright"], "project": "omega"])
                let healthBefore = await test.health()
                #expect(healthBefore?.healthy == true)

                peer.kill()
                let failure = await test.failure("search", ["query": "reportMissingImports"])
                #expect(failure?.code == .unavailable, "\(String(describing: failure))")
                #expect(failure?.message.contains(peer.url) == true, "\(String(describing: failure))")
                let storeFailure = await test.failure("store", ["content": "never stored"])
                #expect(storeFailure?.code == .unavailable, "\(String(describing: storeFailure))")
                let health = await test.health()
                #expect(health?.healthy == false)
                #expect(health?.message.contains("127.0.0.1:\(peer.port)/healthz") == true, "\(String(describing: health))")

                try await peer.restart()
                // The old session died with the server: the plugin initialises a new one by itself
                // and the calls succeed. (Observed: session-buddy 0.36.0 loses the reflections it
                // stored before a SIGKILL, so only new ones are counted here.)
                let after = try await test.call("store", ["content": "pyright reportMissingImports again after the restart", "project": "omega"])
                let found = try await test.call("search", ["query": "reportMissingImports", "project": "omega"])
                #expect(SessionBuddyTestHost.results(found).contains { $0["id"] as? String == after["id"] as? String }, "\(found)")
                #expect(after["id"] as? String != stored["id"] as? String)
                let healthAfter = await test.health()
                #expect(healthAfter?.healthy == true)
                let statsAfter = try await test.call("stats")
                #expect((statsAfter["total"] as? Int ?? 0) >= 1, "\(statsAfter)")
            }
        }
    }

    @Test func aServerThatWasNeverThereIsUnavailableAtOnce() async throws {
        let port = try LoopbackSocket.closedPort()
        let url = "http://127.0.0.1:\(port)/mcp"
        try await TestHost.with({ configuration in
            configuration.pluginConfigs["session-buddy"] = #"{"url": "\#(url)", "timeout": 2, "max_attempts": 2, "retry_backoff": 0.05}"#
        }) { testHost in
            // The host probes health at load: a session-buddy that is not there fails it, naming the URL.
            let report = try await SessionBuddyTestHost.load(into: testHost)
            #expect(report.state != .loaded)
            #expect("\(String(describing: report.error))".contains("127.0.0.1:\(port)/healthz"), "\(String(describing: report.error))")
        }
    }
}
