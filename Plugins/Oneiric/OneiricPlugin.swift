import Foundation
import PluginKit
import Synchronization

/// The Oneiric client: capability `adapter:registry:oneiric` (SPEC §6.1, REFERENCE §1).
///
/// Reads Oneiric's adapter registry over gRPC (`AdapterRegistry`) or MCP (`oneiric mcp`), with
/// a TTL cache that also serves stale answers while the registry is down, a circuit breaker,
/// bounded retries, and the host's own registry as the last fallback; every answer says where
/// it came from. Optionally announces the host's providers to the registry
/// (``RegistryAnnouncer``) and feeds the registry's health of providers the host also serves
/// into their ranking (``RegistryHealthFeed``). Network work runs on the instance's own event
/// loop thread, started by the first exchange with the registry and stopped in ``shutdown()``.
public final class OneiricPlugin: CapabilityPlugin {
    /// The descriptor the host reads.
    public static let manifest = PluginManifest(
        name: "oneiric", version: "1.0.0", vendor: "caphost",
        flags: [.threadSafe, .parallelCreate],
        capabilities: [
            Capability(domain: "adapter", category: "registry", provider: "oneiric", priority: 50,
                       description: "Oneiric's adapter registry, over gRPC or MCP, cached, with the host's registry as fallback",
                       methods: OneiricMethods.all),
        ])

    let context: PluginContext
    let configuration: OneiricConfiguration
    let client: RegistryClient
    let local: LocalRegistry
    let loop: RegistryEventLoop
    let announcer: RegistryAnnouncer?
    let healthFeed: RegistryHealthFeed?
    /// Raw `list_adapters` payloads already seen, so a repeated query finds its cache entry
    /// without decoding JSON.
    private let knownQueries = Mutex<[[UInt8]: (query: AdapterQuery, key: String)]>([:])

    public init(context: PluginContext) throws {
        self.context = context
        configuration = try OneiricConfiguration(context.decodeConfig(OneiricConfiguration.Document.self))
        loop = RegistryEventLoop { [context] in
            context.log(.info, "oneiric: event loop thread started for the first exchange with the registry")
        }
        let transport: any RegistryTransport = switch configuration.transport {
        case .grpc: GRPCRegistryTransport(settings: configuration.grpc!, loop: loop)
        case .mcp: MCPRegistryTransport(settings: configuration.mcp!, loop: loop)
        }
        let metrics = RegistryMetrics(context: context, transport: transport.kind)
        client = RegistryClient(transport: transport, configuration: configuration, metrics: metrics, context: context)
        local = LocalRegistry(context: context, project: configuration.project)
        announcer = configuration.announce.enabled
            ? RegistryAnnouncer(client: client, local: local, settings: configuration.announce, context: context, metrics: metrics)
            : nil
        healthFeed = configuration.healthFeed.enabled
            ? RegistryHealthFeed(client: client, local: local, settings: configuration.healthFeed, context: context)
            : nil
        announcer?.start()
        healthFeed?.start()
        context.log(.info, "oneiric: registry over \(client.origin), cache \(configuration.cacheTTL) (stale up to \(configuration.staleTTL) more), announce \(configuration.announce.enabled ? "on" : "off"), health feed \(configuration.healthFeed.enabled ? "on" : "off")")
    }

    public func invoke(_ request: PluginRequest) async throws -> PluginResponse {
        switch request.method {
        case "list_adapters": return .bytes(try await listAdapters(request))
        case "get_adapter": return .bytes(try await getAdapter(try Self.adapterID(request), deadline: request.deadline))
        case "check_health": return .bytes(try await checkHealth(try Self.adapterID(request), deadline: request.deadline))
        case "resolve_adapter": return .bytes(try await resolveAdapter(request))
        case "heartbeat": return .bytes(try await heartbeat(try Self.adapterID(request), deadline: request.deadline))
        default: throw PluginError.unimplemented(request)
        }
    }

    /// Healthy: the plugin answers whatever state the registry is in (from the cache or the
    /// host's own registry when it is down), so a registry outage must not take the provider
    /// out of its slot. The registry's own state is in every answer's `source`, in the
    /// `oneiric_registry_reachable` gauge and in the log. No traffic: the probe runs this too.
    public func health() async throws {}

    public func quiesce() async {
        await announcer?.stop()
        await healthFeed?.stop()
    }

    public func shutdown() async {
        await announcer?.stop()
        await healthFeed?.stop()
        await client.transport.shutdown()
        await loop.shutdown()
    }

    // MARK: - Methods

    func listAdapters(_ request: PluginRequest) async throws(PluginError) -> [UInt8] {
        let (query, key) = try knownQuery(request.payload)
        return try await client.respond(method: "list_adapters", key: key, deadline: request.deadline, remote: { timeout throws(RegistryFailure) in
            let adapters = try await self.client.transport.list(query, timeout: timeout).filter(query.matches)
            return RegistryCache.Result(adapters: adapters, fragment: RegistryAnswer.adaptersFragment(adapters))
        }, local: { () throws(PluginError) -> RegistryCache.Result? in
            let adapters = try self.local.adapters().filter(query.matches)
            return RegistryCache.Result(adapters: adapters, fragment: RegistryAnswer.adaptersFragment(adapters))
        }).1
    }

    func getAdapter(_ id: AdapterID, deadline: PluginDeadline?) async throws(PluginError) -> [UInt8] {
        try await client.respond(method: "get_adapter", key: "get|\(id)", deadline: deadline, remote: { timeout throws(RegistryFailure) in
            let adapter = try await self.client.transport.get(id, timeout: timeout)
            return RegistryCache.Result(adapters: [adapter], fragment: RegistryAnswer.adapterFragment(adapter))
        }, local: { () throws(PluginError) -> RegistryCache.Result? in
            guard let adapter = try self.local.adapters().first(where: { $0.adapterID == id.description }) else { return nil }
            return RegistryCache.Result(adapters: [adapter], fragment: RegistryAnswer.adapterFragment(adapter))
        }).1
    }

    func checkHealth(_ id: AdapterID, deadline: PluginDeadline?) async throws(PluginError) -> [UInt8] {
        try await client.respond(method: "check_health", key: nil, deadline: deadline, remote: { timeout throws(RegistryFailure) in
            let health = try await self.client.transport.health(id, timeout: timeout)
            return RegistryCache.Result(adapters: [], fragment: Self.healthFragment(id, health))
        }, local: { () throws(PluginError) -> RegistryCache.Result? in
            guard let adapter = try self.local.adapters().first(where: { $0.adapterID == id.description }) else { return nil }
            let health = RegistryHealth(healthy: adapter.healthStatus == "healthy", status: adapter.healthStatus,
                                        detail: adapter.metadata["reason"])
            return RegistryCache.Result(adapters: [], fragment: Self.healthFragment(id, health))
        }).1
    }

    func heartbeat(_ id: AdapterID, deadline: PluginDeadline?) async throws(PluginError) -> [UInt8] {
        try await client.respond(method: "heartbeat", key: nil, deadline: deadline, remote: { timeout throws(RegistryFailure) in
            let registered = try await self.client.transport.heartbeat(id, timeout: timeout)
            return RegistryCache.Result(adapters: [], fragment: Self.heartbeatFragment(id, registered))
        }, local: { () throws(PluginError) -> RegistryCache.Result? in
            // The host serving it says it is alive; the host not serving it says nothing about the registry.
            guard try self.local.adapters().contains(where: { $0.adapterID == id.description }) else { return nil }
            return RegistryCache.Result(adapters: [], fragment: Self.heartbeatFragment(id, true))
        }).1
    }

    func resolveAdapter(_ request: PluginRequest) async throws(PluginError) -> [UInt8] {
        struct Input: Decodable { let domain: String; let category: String; let provider: String? }
        let input = try request.decode(Input.self)
        let query = AdapterQuery(domain: input.domain, category: input.category)
        let (source, _, result) = try await client.respond(method: "resolve_adapter", key: query.key, deadline: request.deadline, remote: { timeout throws(RegistryFailure) in
            let adapters = try await self.client.transport.list(query, timeout: timeout).filter(query.matches)
            return RegistryCache.Result(adapters: adapters, fragment: RegistryAnswer.adaptersFragment(adapters))
        }, local: { () throws(PluginError) -> RegistryCache.Result? in
            let adapters = try self.local.adapters().filter(query.matches)
            return RegistryCache.Result(adapters: adapters, fragment: RegistryAnswer.adaptersFragment(adapters))
        })
        let (chosen, reason) = try AdapterResolution.choose(among: result.adapters, domain: input.domain, category: input.category,
                                                            provider: input.provider, origin: client.origin)
        let fragment = RegistryAnswer.adapterFragment(chosen) + Array(",\"resolved_by\":\(RegistryAnswer.string(reason)),\"candidates\":\(result.adapters.count)".utf8)
        return client.answer.render(source, fragment: fragment)
    }

    // MARK: - Payloads

    private func knownQuery(_ payload: [UInt8]) throws(PluginError) -> (query: AdapterQuery, key: String) {
        if let known = knownQueries.withLock({ $0[payload] }) { return known }
        let query: AdapterQuery
        if payload.isEmpty {
            query = AdapterQuery()
        } else {
            do {
                query = try JSONDecoder().decode(AdapterQuery.self, from: Data(payload))
            } catch {
                throw .invalidArgument("list_adapters: the payload is not {project?, domain?, category?, healthy_only?}: \(error.localizedDescription)")
            }
        }
        if payload.count <= 512 {
            knownQueries.withLock { known in
                if known.count >= 256 { known.removeAll() }
                known[payload] = (query, query.key)
            }
        }
        return (query, query.key)
    }

    static func adapterID(_ request: PluginRequest) throws(PluginError) -> AdapterID {
        struct Input: Decodable { let adapter_id: String }
        let input = try request.decode(Input.self)
        guard let id = AdapterID(input.adapter_id) else {
            throw .invalidArgument("adapter_id '\(input.adapter_id.prefix(200))' is not domain:category:provider (e.g. adapter:notifier:mailgun)")
        }
        return id
    }

    static func healthFragment(_ id: AdapterID, _ health: RegistryHealth) -> [UInt8] {
        Array("\"adapter_id\":\(RegistryAnswer.string(id.description)),\"healthy\":\(health.healthy),\"status\":\(RegistryAnswer.string(health.status))".utf8)
            + (health.detail.map { Array(",\"detail\":\(RegistryAnswer.string($0))".utf8) } ?? [])
    }

    static func heartbeatFragment(_ id: AdapterID, _ registered: Bool) -> [UInt8] {
        Array("\"adapter_id\":\(RegistryAnswer.string(id.description)),\"registered\":\(registered)".utf8)
    }
}

/// The one symbol the host looks up.
@_cdecl("cap_plugin_entry_v1")
public func capPluginEntry() -> UnsafeRawPointer { PluginExport.descriptor(for: OneiricPlugin.self) }
