import CapHostCore
import CapHostGRPC
import CapHostTestSupport
import Foundation
import Logging
import Synchronization
import Testing

/// The plugin's gRPC transport against the host's own `AdapterRegistry` (CapHostGRPC, in process)
/// and against an independent Python grpcio registry generated from the same proto: TLS, mutual
/// TLS, tokens, JWTs, a non-default package, deadlines, NOT_FOUND, announcing, and an
/// unreachable address.
@Suite struct OneiricGRPCTests {
    static func adapters(_ answer: [String: Any]) -> [[String: Any]] { answer["adapters"] as? [[String: Any]] ?? [] }
    static func ids(_ answer: [String: Any]) -> [String] { adapters(answer).compactMap { $0["adapter_id"] as? String } }

    @Test func theHostsOwnRegistryIsReadWithTheTokenAndRefusesWrites() async throws {
        let token = "registry-token-\(UUID().uuidString)"
        let registry = HostRegistry(token: token)
        try await registry.around { try await OneiricTestHost.with(providers: [("notifier", "outbox")], config: { host in
            // The registry is this very host's; the port is known only once it listens.
            ["transport": "grpc", "grpc": ["address": "127.0.0.1:\(try await registry.start(host))", "token": token],
             "timeout": 2, "cache_ttl": 300]
        }) { test in
            let list = try await test.call("list_adapters", ["domain": "adapter"])
            #expect(list["source"] as? String == "remote")
            #expect(list["transport"] as? String == "grpc")
            #expect(Self.ids(list) == ["adapter:notifier:outbox", "adapter:registry:oneiric"])
            #expect(try await test.call("list_adapters", ["domain": "adapter"])["source"] as? String == "cache")

            let got = try await test.call("get_adapter", ["adapter_id": "adapter:notifier:outbox"])
            #expect((got["adapter"] as? [String: Any])?["factory_path"] as? String != nil)
            let health = try await test.call("check_health", ["adapter_id": "adapter:notifier:outbox"])
            #expect(health["healthy"] as? Bool == true)
            #expect(try await test.call("heartbeat", ["adapter_id": "adapter:notifier:outbox"])["registered"] as? Bool == true)

            let missing = await test.failure("get_adapter", ["adapter_id": "adapter:notifier:pigeon"])
            #expect(missing?.code == .notFound)
            #expect(missing?.message.contains("adapter:notifier:pigeon") == true, "\(String(describing: missing))")
            #expect(missing?.message.contains("grpc 127.0.0.1:") == true, "\(String(describing: missing))")
            let malformed = await test.failure("get_adapter", ["adapter_id": "not-an-id"])
            #expect(malformed?.code == .invalidArgument)
        } }
    }

    @Test func aWrongTokenIsRefusedWithTheServersReason() async throws {
        let registry = HostRegistry(token: "the-right-token")
        try await registry.around { try await OneiricTestHost.with(config: { host in
            ["transport": "grpc", "grpc": ["address": "127.0.0.1:\(try await registry.start(host))", "token": "a-wrong-token"],
             "timeout": 2]
        }) { test in
            let refused = await test.failure("get_adapter", ["adapter_id": "adapter:registry:oneiric"])
            #expect(refused?.code == .permission, "\(String(describing: refused))")
            #expect(refused?.message.contains("refused the credential") == true, "\(String(describing: refused))")
            #expect(refused?.message.contains("a-wrong-token") == false)
        } }
    }

    @Test func anIndependentRegistryOverMutualTLSWithAJWTAndAnotherPackage() async throws {
        let server = try await SelfSignedCertificate.make()
        let client = try await SelfSignedCertificate.make(commonName: "caphost-client")
        defer { server.remove(); client.remove() }
        let secret = "jwt-secret-\(UUID().uuidString)"
        let seed = NSTemporaryDirectory() + "registry-seed-\(UUID().uuidString.prefix(8)).json"
        try Data(#"[{"adapter_id": "adapter:cache:redis", "project": "mahavishnu", "domain": "adapter", "category": "cache", "provider": "redis", "health_status": "healthy"}]"#.utf8)
            .write(to: URL(fileURLWithPath: seed))
        defer { try? FileManager.default.removeItem(atPath: seed) }
        try await RegistryGRPCPeer.with(["--tls-cert", server.certificatePath, "--tls-key", server.keyPath,
                                         "--client-ca", client.certificatePath, "--jwt-secret-env", "REGISTRY_SECRET",
                                         "--jwt-project", "fleet", "--package", "acme.discovery.v2", "--seed", seed],
                                        environment: ["REGISTRY_SECRET": secret]) { peer in
            let base: [String: Any] = ["address": peer.address, "package": "acme.discovery.v2", "ca_file": server.certificatePath,
                                       "server_name": "localhost", "cert_file": client.certificatePath, "key_file": client.keyPath,
                                       "jwt": ["secret": secret, "project": "fleet"]]
            try await OneiricTestHost.with(config: ["transport": "grpc", "grpc": base, "timeout": 3, "cache_ttl": 0,
                                                    "project": "fleet", "announce": ["enabled": true, "interval": 0.2]],
                                           providers: [("notifier", "outbox")]) { test in
                let list = try await test.call("list_adapters", ["category": "cache"])
                #expect(list["source"] as? String == "remote", "\(list)")
                #expect(Self.ids(list) == ["adapter:cache:redis"])
                let resolved = try await test.call("resolve_adapter", ["domain": "adapter", "category": "cache"])
                #expect((resolved["adapter"] as? [String: Any])?["provider"] as? String == "redis")
                #expect(try await test.call("check_health", ["adapter_id": "adapter:cache:redis"])["healthy"] as? Bool == true)
                let missing = await test.failure("get_adapter", ["adapter_id": "adapter:cache:memcached"])
                #expect(missing?.code == .notFound)
                #expect(missing?.message.contains("adapter 'adapter:cache:memcached' is not registered") == true, "\(String(describing: missing))")

                // Announced over the same registry, and the removal reflected with RemoveAdapter.
                try await eventually("adapter:notifier:outbox stored in the registry", timeout: .seconds(15)) {
                    Self.ids(try await test.call("list_adapters", ["category": "notifier"])) == ["adapter:notifier:outbox"]
                }
                await test.unloadProvider(category: "notifier", provider: "outbox")
                try await eventually("adapter:notifier:outbox removed from the registry", timeout: .seconds(15)) {
                    Self.ids(try await test.call("list_adapters", ["category": "notifier"])).isEmpty
                }
            }
            // Without the client certificate the handshake fails: the registry is unreachable to this client.
            var plainTLS = base
            plainTLS["cert_file"] = nil
            plainTLS["key_file"] = nil
            try await OneiricTestHost.with(config: ["transport": "grpc", "grpc": plainTLS, "timeout": 2, "max_attempts": 1]) { test in
                let refused = await test.failure("get_adapter", ["adapter_id": "adapter:cache:redis"])
                #expect(refused?.code == .unavailable, "\(String(describing: refused))")
                #expect(refused?.message.contains("grpc \(peer.address)") == true, "\(String(describing: refused))")
            }
            // A JWT for another project is refused with the registry's reason.
            var otherProject = base
            otherProject["jwt"] = ["secret": secret, "project": "someone-else"]
            try await OneiricTestHost.with(config: ["transport": "grpc", "grpc": otherProject, "timeout": 2]) { test in
                let refused = await test.failure("get_adapter", ["adapter_id": "adapter:cache:redis"])
                #expect(refused?.code == .permission, "\(String(describing: refused))")
                #expect(refused?.message.contains("project 'someone-else'") == true, "\(String(describing: refused))")
            }
        }
    }

    @Test func aSlowRegistryIsCutAtTheDeadlineAndAnUnreachableOneIsNamed() async throws {
        try await RegistryGRPCPeer.with(["--delay-ms", "3000"]) { peer in
            try await OneiricTestHost.with(config: ["transport": "grpc", "grpc": ["address": peer.address], "timeout": 0.3,
                                                    "max_attempts": 1]) { test in
                let started = ContinuousClock.now
                let slow = await test.failure("get_adapter", ["adapter_id": "adapter:cache:redis"])
                #expect(ContinuousClock.now - started < .seconds(2))
                #expect(slow?.code == .timeout, "\(String(describing: slow))")
                #expect(slow?.message.contains("did not answer get_adapter in time") == true, "\(String(describing: slow))")
                // A listing still answers, from the host's own registry, saying why.
                let local = try await test.call("list_adapters")
                #expect(local["source"] as? String == "local")
                #expect(Self.ids(local) == ["adapter:registry:oneiric"])
                #expect((local["reason"] as? String)?.contains("grpc \(peer.address)") == true, "\(local)")
            }
        }
        let port = try OneiricMCPPeer.freePort()
        try await OneiricTestHost.with(config: ["transport": "grpc", "grpc": ["address": "127.0.0.1:\(port)"], "timeout": 1]) { test in
            let started = ContinuousClock.now
            let unreachable = await test.failure("heartbeat", ["adapter_id": "adapter:cache:redis"])
            #expect(ContinuousClock.now - started < .seconds(4))
            #expect(unreachable?.code == .unavailable, "\(String(describing: unreachable))")
            #expect(unreachable?.message.contains("oneiric registry over grpc 127.0.0.1:\(port) is unreachable") == true,
                    "\(String(describing: unreachable))")
        }
    }
}

/// The host's own `AdapterRegistry` (CapHostGRPC), served on an ephemeral loopback port for
/// the length of ``around(_:)``.
final class HostRegistry: Sendable {
    let token: String
    private let running = Mutex<(AdapterRegistryServer, Task<Void, any Error>)?>(nil)

    init(token: String) { self.token = token }

    /// Serves `host`'s registry and returns its port.
    func start(_ host: CapabilityHost) async throws -> Int {
        var logger = Logger(label: "oneiric-grpc-test")
        logger.logLevel = .critical
        let server = try AdapterRegistryServer(host: host, settings: AdapterRegistrySettings(port: 0, token: token), logger: logger)
        let task = Task { try await server.run() }
        running.withLock { $0 = (server, task) }
        return try await server.listeningAddress().port
    }

    /// Runs `body`, then stops the server whether `body` returned or threw.
    func around(_ body: () async throws -> Void) async throws {
        do {
            try await body()
        } catch {
            await stop()
            throw error
        }
        await stop()
    }

    private func stop() async {
        guard let (server, task) = running.withLock({ $0 }) else { return }
        server.beginGracefulShutdown()
        _ = try? await task.value
    }
}
