import CapHostCore
import CapHostTestSupport
import Foundation
import Testing

/// The `adapter:memory` slot with both real providers: session-buddy (priority 50, the real
/// server from the sandbox) and the local memory (priority 0, a real SQLite file). When
/// session-buddy is killed the slot fails over to the local memory after the breaker's few
/// failures; when it is back the slot returns to it.
@Suite(.serialized) struct MemorySlotFailoverTests {
    static let slot = SlotKey(domain: "adapter", category: "memory")
    static let breakerThreshold = 3

    @Test func theMemorySlotFailsOverToTheLocalMemoryAndBack() async throws {
        try await SessionBuddyPeer.with { peer in
            let config = String(decoding: try JSONSerialization.data(withJSONObject: SessionBuddyTestHost.config(peer, ["timeout": 2])), as: UTF8.self)
            try await TestHost.with({ configuration in
                configuration.invocation.breakerThreshold = Self.breakerThreshold
                configuration.scoring.breakerCoolDown = .seconds(1)
                configuration.autoSwap.enabled = false      // the breaker decides here
                configuration.pluginConfigs["session-buddy"] = config
            }) { test in
                let session = try await SessionBuddyTestHost.load(into: test)
                #expect(session.state == .loaded, "\(String(describing: session.error))")
                try #"{"path":"\#(test.root)/memory.sqlite"}"#.write(toFile: test.pluginsDirectory + "/local-memory.json", atomically: true, encoding: .utf8)
                let local = await test.host.load(file: try FixturePlugins.install(try FixturePlugins.builtPlugin("LocalMemoryPlugin"),
                                                                                   into: test.pluginsDirectory, as: "local-memory.so"))
                #expect(local.state == .loaded, "\(String(describing: local.error))")
                await test.host.start()     // scores, health checks and breaker cool-downs run from here
                #expect(test.host.resolve(Self.slot)?.provider == "session-buddy", "session-buddy wins on priority")

                func store(_ content: String) async throws(InvocationError) -> String {
                    let payload = Array(#"{"content":"\#(content)","tags":["code:F401"],"project":"failover"}"#.utf8)
                    return try await test.host.invoker.invoke(.slot(Self.slot), method: "store", payload: payload, timeout: .seconds(20))
                        .provider.provider
                }
                #expect(try await store("ruff F401 before the outage") == "session-buddy")

                // session-buddy dies: a few calls fail (UNAVAILABLE, naming its URL) until the
                // breaker opens, then the local memory answers.
                peer.kill()
                var failures: [InvocationError] = []
                var provider = ""
                while provider.isEmpty && failures.count <= Self.breakerThreshold {
                    do throws(InvocationError) {
                        provider = try await store("ruff F401 during the outage")
                    } catch {
                        failures.append(error)
                    }
                }
                #expect(provider == "local", "failures: \(failures)")
                #expect(failures.count <= Self.breakerThreshold && failures.allSatisfy { $0.code == .unavailable }, "\(failures)")
                let found = try await test.host.invoker.invoke(.slot(Self.slot), method: "search",
                                                               payload: Array(#"{"query":"outage","project":"failover"}"#.utf8))
                #expect(found.provider.provider == "local")
                #expect(String(decoding: found.body, as: UTF8.self).contains("ruff F401 during the outage"))

                // session-buddy is back: once the breaker lets a trial call through, the slot is its again.
                try await peer.restart()
                var back = ""
                try await eventually("the memory slot to return to session-buddy", timeout: .seconds(30)) {
                    back = (try? await store("ruff F401 after the outage")) ?? ""
                    return back == "session-buddy"
                }
                #expect(back == "session-buddy")
            }
        }
    }
}
