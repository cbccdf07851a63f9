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
    private let task = Mutex<Task<Void, Never>?>(nil)

    init(client: RegistryClient, local: LocalRegistry, settings: OneiricConfiguration.AnnounceSettings,
         context: PluginContext, metrics: RegistryMetrics) {
        self.client = client
        self.local = local
        self.settings = settings
        self.context = context
        self.metrics = metrics
    }

    func start() {
        let loop = Task.detached { [self] in
            while !Task.isCancelled {
                await announceChanges()
                try? await Task.sleep(for: settings.interval)
            }
        }
        task.withLock { $0 = loop }
    }

    func stop() async {
        let running = task.withLock { task -> Task<Void, Never>? in
            defer { task = nil }
            return task
        }
        running?.cancel()
        await running?.value
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
        for record in toStore where !Task.isCancelled {
            do {
                try await client.callRemote(method: "announce", deadline: PluginDeadline.after(client.configuration.callTimeout * 2)) {
                    timeout throws(RegistryFailure) in try await self.client.transport.store(record, timeout: timeout)
                }
                announced.withLock { $0[record.adapterID] = record }
                metrics.announcement("stored")
                changed = true
            } catch {
                metrics.announcement("failed")
                context.log(.warning, "oneiric: announcing \(record.adapterID) to \(client.origin) failed (tried again in \(settings.interval)): \(error.reason)")
                break
            }
        }
        for record in toRemove where !Task.isCancelled {
            do {
                try await client.callRemote(method: "announce", deadline: PluginDeadline.after(client.configuration.callTimeout * 2)) {
                    timeout throws(RegistryFailure) in try await self.client.transport.remove(record, timeout: timeout)
                }
                announced.withLock { $0[record.adapterID] = nil }
                metrics.announcement("removed")
                changed = true
            } catch {
                metrics.announcement("failed")
                context.log(.warning, "oneiric: removing \(record.adapterID) from \(client.origin) failed (tried again in \(settings.interval)): \(error.reason)")
                break
            }
        }
        // What this plugin answers from the cache must not contradict what it just wrote.
        if changed { client.cache.removeAll() }
    }
}
