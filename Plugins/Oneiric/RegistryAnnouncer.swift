import Foundation
import PluginKit
import Synchronization

/// Keeps the registry's records of this host's providers in step with the host: every
/// `interval` it reads the host's capability graph and, when it changed, stores the records
/// that are new or different and removes the ones whose provider is gone (gRPC `RemoveAdapter`;
/// Oneiric's MCP registry cannot delete, so there the record is re-stored with
/// `caphost_status: removed`). What fails is tried again on the next round; the host's threads
/// never wait for the registry.
final class RegistryAnnouncer: Sendable {
    let client: RegistryClient
    let local: LocalRegistry
    let settings: OneiricConfiguration.AnnounceSettings
    let context: PluginContext
    let metrics: RegistryMetrics
    /// What the registry holds from this host, as last stored successfully.
    private let announced = Mutex<[String: RegistryAdapter]>([:])
    private let rounds = RepeatingTask()

    init(client: RegistryClient, local: LocalRegistry, settings: OneiricConfiguration.AnnounceSettings,
         context: PluginContext, metrics: RegistryMetrics) {
        self.client = client
        self.local = local
        self.settings = settings
        self.context = context
        self.metrics = metrics
    }

    func start() {
        rounds.start(every: settings.interval) { [self] in await announceChanges() }
    }

    func stop() async {
        await rounds.stop()
    }

    /// The records the host wants in the registry now: every provider it serves (without
    /// this plugin's own unless asked), with the facts that do not change from call to call.
    func desiredRecords() -> [String: RegistryAdapter]? {
        guard let adapters = try? local.adapters() else { return nil }  // not serving yet
        var records: [String: RegistryAdapter] = [:]
        for var adapter in adapters {
            if !settings.includeSelf, adapter.adapterID == "adapter:registry:oneiric" { continue }
            for volatile in ["score", "reason", "breaker"] { adapter.metadata[volatile] = nil }
            adapter.metadata["announced_by"] = local.project
            adapter.healthStatus = "unknown"
            records[adapter.adapterID] = adapter
        }
        return records
    }

    /// One round: store what changed, remove what is gone.
    func announceChanges() async {
        guard let desired = desiredRecords() else { return }
        let current = announced.withLock { $0 }
        let toStore = desired.values.filter { current[$0.adapterID] != $0 }.sorted { $0.adapterID < $1.adapterID }
        let toRemove = current.values.filter { desired[$0.adapterID] == nil }.sorted { $0.adapterID < $1.adapterID }
        guard !toStore.isEmpty || !toRemove.isEmpty else { return }
        var changed = false
        for (record, removal) in toStore.map({ ($0, false) }) + toRemove.map({ ($0, true) }) where !Task.isCancelled {
            do {
                try await client.callRemote(method: "announce", deadline: PluginDeadline.after(client.configuration.callTimeout * 2)) {
                    timeout throws(RegistryFailure) in
                    if removal {
                        try await self.client.transport.remove(record, timeout: timeout)
                    } else {
                        try await self.client.transport.store(record, timeout: timeout)
                    }
                }
                announced.withLock { $0[record.adapterID] = removal ? nil : record }
                metrics.announcement(removal ? "removed" : "stored")
                changed = true
            } catch {
                metrics.announcement("failed")
                context.log(.warning, "oneiric: \(removal ? "removing" : "announcing") \(record.adapterID) at \(client.origin) failed (tried again in \(settings.interval)): \(error.reason)")
                break
            }
        }
        // What this plugin answers from the cache must not contradict what it just wrote.
        if changed { client.cache.removeAll() }
    }
}
