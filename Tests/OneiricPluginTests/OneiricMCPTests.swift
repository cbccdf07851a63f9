import CapHostCore
import CapHostTestSupport
import Foundation
import Testing

/// The plugin against the real `oneiric mcp` 0.33.3 (Python 3.14 sandbox): announce, list, get,
/// health, resolve; a restart mid-run; a killed server → stale answers, then the host's own
/// registry; recovery. Serialized: each test starts its own Oneiric (≈ 3 s).
@Suite(.serialized) struct OneiricMCPTests {
    static func config(_ peer: OneiricMCPPeer, _ extra: [String: Any] = [:]) -> [String: Any] {
        var config: [String: Any] = ["transport": "mcp", "mcp": ["url": peer.url], "project": "caphost-tests",
                                     "timeout": 3, "cache_ttl": 0, "breaker_threshold": 100]
        config.merge(extra) { $1 }
        return config
    }

    static func adapters(_ answer: [String: Any]) -> [[String: Any]] { answer["adapters"] as? [[String: Any]] ?? [] }

    @Test func theHostsSlotsAreAnnouncedAndReadBackThroughEveryMethod() async throws {
        try await OneiricMCPPeer.with { peer in
            let config = Self.config(peer, ["announce": ["enabled": true, "interval": 0.2]])
            try await OneiricTestHost.with(config: config, providers: [("notifier", "outbox"), ("notifier", "smtp")]) { test in
                // An Oneiric user (a third party with its own session) sees what this host serves.
                try await eventually("the host's providers in oneiric_list_adapters", timeout: .seconds(20)) {
                    let listed = try await peer.callTool("oneiric_list_adapters", [:])
                    let ids = Set(Self.adapters(listed).compactMap { $0["adapter_id"] as? String })
                    return ids.isSuperset(of: ["adapter:notifier:outbox", "adapter:notifier:smtp"])
                }
                let record = try await peer.callTool("oneiric_get_adapter", ["domain": "adapter", "key": "notifier", "provider": "outbox"])
                let stored = try #require(record["adapter"] as? [String: Any])
                let metadata = try #require(stored["metadata"] as? [String: Any])
                #expect(metadata["announced_by"] as? String == "caphost-tests")
                #expect(metadata["category"] as? String == "notifier")
                #expect(stored["factory_path"] as? String == "caphost:notifier-outbox@1.0.0")
                // Its own registry capability is not announced unless asked.
                #expect(!Self.adapters(try await peer.callTool("oneiric_list_adapters", [:])).contains { $0["adapter_id"] as? String == "adapter:registry:oneiric" })

                let list = try await test.call("list_adapters", ["category": "notifier"])
                #expect(list["source"] as? String == "remote")
                #expect(list["transport"] as? String == "mcp")
                #expect(list["registry"] as? String == peer.url)
                #expect(Set(Self.adapters(list).compactMap { $0["adapter_id"] as? String }) == ["adapter:notifier:outbox", "adapter:notifier:smtp"])
                #expect(list["count"] as? Int == 2)

                let got = try await test.call("get_adapter", ["adapter_id": "adapter:notifier:smtp"])
                #expect((got["adapter"] as? [String: Any])?["provider"] as? String == "smtp")
                #expect((got["adapter"] as? [String: Any])?["version"] as? String == "1.0.0")

                // Oneiric probes a record by importing its factory: caphost's are not Python, so unhealthy, with the reason.
                let health = try await test.call("check_health", ["adapter_id": "adapter:notifier:outbox"])
                #expect(health["source"] as? String == "remote")
                #expect(health["healthy"] as? Bool == false)
                #expect((health["detail"] as? String)?.isEmpty == false)

                let resolved = try await test.call("resolve_adapter", ["domain": "adapter", "category": "notifier", "provider": "smtp"])
                #expect((resolved["adapter"] as? [String: Any])?["adapter_id"] as? String == "adapter:notifier:smtp")
                #expect(resolved["resolved_by"] as? String == "provider smtp asked for by name")

                let heartbeat = try await test.call("heartbeat", ["adapter_id": "adapter:notifier:outbox"])
                #expect(heartbeat["registered"] as? Bool == true)

                let missing = await test.failure("get_adapter", ["adapter_id": "adapter:notifier:pigeon"])
                #expect(missing?.code == .notFound)
                #expect(missing?.message.contains("adapter:notifier") == true && missing?.message.contains(peer.url) == true, "\(String(describing: missing))")
                let pinnedMissing = await test.failure("resolve_adapter", ["domain": "adapter", "category": "notifier", "provider": "pigeon"])
                #expect(pinnedMissing?.code == .notFound)
                #expect(pinnedMissing?.message.contains("no provider 'pigeon' for adapter:notifier") == true, "\(String(describing: pinnedMissing))")

                // A provider that goes away is marked removed in Oneiric (its MCP registry cannot delete).
                await test.unloadProvider(category: "notifier", provider: "smtp")
                try await eventually("adapter:notifier:smtp marked removed in Oneiric", timeout: .seconds(20)) {
                    let record = try await peer.callTool("oneiric_get_adapter", ["domain": "adapter", "key": "notifier", "provider": "smtp"])
                    return ((record["adapter"] as? [String: Any])?["metadata"] as? [String: Any])?["caphost_status"] as? String == "removed"
                }
                // ... and never resolved to.
                let best = try await test.call("resolve_adapter", ["domain": "adapter", "category": "notifier"])
                #expect((best["adapter"] as? [String: Any])?["provider"] as? String == "outbox")
            }
        }
    }

    @Test func aRestartedServerIsReachedThroughANewSession() async throws {
        try await OneiricMCPPeer.with { peer in
            _ = try await peer.callTool("oneiric_store_adapter", ["domain": "adapter", "key": "cache", "provider": "redis",
                                                                  "version": "7.2.0", "factory_path": "json.JSONDecoder",
                                                                  "metadata": ["category": "cache"]])
            try await OneiricTestHost.with(config: Self.config(peer)) { test in
                let before = try await test.call("list_adapters", ["domain": "adapter"])
                #expect(before["source"] as? String == "remote")
                try await peer.restart()
                // The plugin's session died with the old server: it initialises again, once, and the call succeeds.
                let after = try await test.call("list_adapters", ["domain": "adapter"])
                #expect(after["source"] as? String == "remote", "\(after)")
                #expect(Self.adapters(after).contains { $0["adapter_id"] as? String == "adapter:cache:redis" })
            }
        }
    }

    @Test func aKilledServerGivesStaleAnswersThenTheHostsOwnRegistryThenRecovers() async throws {
        try await OneiricMCPPeer.with { peer in
            _ = try await peer.callTool("oneiric_store_adapter", ["domain": "adapter", "key": "queue", "provider": "rabbit",
                                                                  "version": "3.0.0", "factory_path": "json.JSONDecoder",
                                                                  "metadata": ["category": "queue"]])
            let config = Self.config(peer, ["cache_ttl": 1, "stale_ttl": 2, "timeout": 1, "max_attempts": 2])
            try await OneiricTestHost.with(config: config, providers: [("queue", "local")]) { test in
                let fresh = try await test.call("list_adapters", ["category": "queue"])
                #expect(fresh["source"] as? String == "remote")
                #expect(Self.adapters(fresh).map { $0["adapter_id"] as? String } == ["adapter:queue:rabbit"])
                let cached = try await test.call("list_adapters", ["category": "queue"])
                #expect(cached["source"] as? String == "cache")

                peer.kill()
                try await Task.sleep(for: .milliseconds(1_100))
                let started = ContinuousClock.now
                let stale = try await test.call("list_adapters", ["category": "queue"])
                #expect(ContinuousClock.now - started < .seconds(3), "a dead registry must not hold the call past its deadline")
                #expect(stale["source"] as? String == "stale", "\(stale)")
                #expect(Self.adapters(stale).map { $0["adapter_id"] as? String } == ["adapter:queue:rabbit"])
                #expect((stale["age_seconds"] as? Double ?? 0) >= 1)
                #expect((stale["reason"] as? String)?.contains(peer.url) == true, "\(stale)")

                try await Task.sleep(for: .milliseconds(2_100))
                let local = try await test.call("list_adapters", ["category": "queue"])
                #expect(local["source"] as? String == "local", "\(local)")
                #expect(Self.adapters(local).map { $0["adapter_id"] as? String } == ["adapter:queue:local"])
                #expect(Self.adapters(local).first?["project"] as? String == "caphost-tests")

                // Nothing to fall back on: UNAVAILABLE naming the transport and the address, within the deadline.
                let unknown = await test.failure("check_health", ["adapter_id": "adapter:queue:rabbit"])
                #expect(unknown?.code == .unavailable, "\(String(describing: unknown))")
                #expect(unknown?.message.contains(peer.url) == true, "\(String(describing: unknown))")

                try await peer.restart()
                try await eventually("answers from the registry again", timeout: .seconds(20)) {
                    try await test.call("list_adapters", ["category": "queue"])["source"] as? String == "remote"
                }
            }
        }
    }

    @Test func sseRepliesAreReadToo() async throws {
        try await OneiricMCPPeer.with(jsonResponse: false) { peer in
            _ = try await peer.callTool("oneiric_store_adapter", ["domain": "adapter", "key": "search", "provider": "meili",
                                                                  "version": "1.0.0", "factory_path": "json.JSONDecoder",
                                                                  "metadata": ["category": "search"]])
            try await OneiricTestHost.with(config: Self.config(peer)) { test in
                let list = try await test.call("list_adapters", ["domain": "adapter"])
                #expect(list["source"] as? String == "remote")
                #expect(Self.adapters(list).map { $0["adapter_id"] as? String } == ["adapter:search:meili"])
                let health = try await test.call("check_health", ["adapter_id": "adapter:search:meili"])
                #expect(health["healthy"] as? Bool == true, "json.JSONDecoder imports: \(health)")
            }
        }
    }

    @Test func oneiricsHealthOfAProviderTheHostServesDemotesItAndRestoresIt() async throws {
        try await OneiricMCPPeer.with { peer in
            // A third party registers the host's preferred notifier with a factory Oneiric cannot import.
            func register(_ factory: String) async throws {
                _ = try await peer.callTool("oneiric_store_adapter", ["domain": "adapter", "key": "notifier", "provider": "primary",
                                                                      "version": "1.0.0", "factory_path": factory,
                                                                      "metadata": ["category": "notifier"]])
                _ = try await peer.callTool("oneiric_get_adapter_health", ["domain": "adapter", "key": "notifier", "provider": "primary"])
            }
            try await register("no_such_module.Factory")
            let config = Self.config(peer, ["health_feed": ["enabled": true, "interval": 0.2]])
            let slot = SlotKey(domain: "adapter", category: "notifier")
            try await OneiricTestHost.withProviders([("notifier", "primary", 20), ("notifier", "backup", 10)], config: config) { test in
                try await eventually("primary demoted by Oneiric's verdict", timeout: .seconds(20)) {
                    test.host.resolve(slot)?.provider == "backup"
                }
                let explanation = try #require(test.host.explain(slot))
                #expect(explanation.decidedBy.contains("won on registry health"), "\(explanation.decidedBy)")
                let primary = try #require(explanation.candidates.first(where: { $0.id == "adapter:notifier:primary" }))
                #expect(primary.reason.contains("oneiric reports it unhealthy (oneiric health_status unhealthy"), "\(primary.reason)")
                let events = test.host.events.events(kinds: [.healthChanged]).filter { $0.kind == .healthChanged && $0.subject == "adapter:notifier:primary" }
                #expect(events.count == 1, "one event for the change, none for repeats: \(events.map(\.reason))")
                #expect(events.first?.reason.contains("registry: oneiric reports unhealthy") == true)

                // Oneiric now imports it: the demotion is withdrawn and priority decides again.
                try await register("json.JSONDecoder")
                try await eventually("primary restored", timeout: .seconds(20)) { test.host.resolve(slot)?.provider == "primary" }

                // A demotion never outlives its reporter.
                try await register("no_such_module.Factory")
                try await eventually("primary demoted again", timeout: .seconds(20)) { test.host.resolve(slot)?.provider == "backup" }
                await test.host.unload(file: test.testHost.pluginsDirectory + "/liboneiric.so", reason: "test removes the reporter")
                #expect(test.host.resolve(slot)?.provider == "primary")
            }
        }
    }
}
