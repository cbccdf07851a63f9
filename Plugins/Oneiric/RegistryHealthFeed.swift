import PluginKit
import Synchronization

/// Feeds the registry's health of providers this host also serves into their ranking (ABI 1.3
/// `report_health`): every `interval` it lists the registry (bypassing the cache) and, for each
/// record whose id the host serves and that this host did not announce itself (Oneiric's
/// factory-import probe of a caphost record would otherwise demote the host's own providers),
/// reports `unhealthy`, `healthy` or `unknown` when that changed. A record that disappears is
/// reported `unknown`, which withdraws its demotion.
final class RegistryHealthFeed: Sendable {
    let client: RegistryClient
    let local: LocalRegistry
    let settings: OneiricConfiguration.HealthFeedSettings
    let context: PluginContext
    /// What was last reported, by id.
    private let reported = Mutex<[String: RegistryHealthState]>([:])
    private let rounds = RepeatingTask()

    init(client: RegistryClient, local: LocalRegistry, settings: OneiricConfiguration.HealthFeedSettings, context: PluginContext) {
        self.client = client
        self.local = local
        self.settings = settings
        self.context = context
    }

    func start() {
        guard context.offers(.reportHealth) else {
            context.log(.warning, "oneiric: health_feed is on but this host has no report_health (ABI 1.3; it speaks \(context.hostABIVersion.major).\(context.hostABIVersion.minor)): the registry's health is not fed into ranking")
            return
        }
        rounds.start(every: settings.interval) { [self] in await feedOnce() }
    }

    func stop() async {
        await rounds.stop()
    }

    /// One round: the registry's verdicts on what this host serves, reported where they changed.
    func feedOnce() async {
        guard let served = try? Set(local.adapters().map(\.adapterID)) else { return }
        let records: [RegistryAdapter]
        do {
            records = try await client.callRemote(method: "health_feed", deadline: PluginDeadline.after(client.configuration.callTimeout * 2)) {
                timeout throws(RegistryFailure) in try await self.client.transport.list(AdapterQuery(), timeout: timeout)
            }
        } catch {
            // The registry is down: its last verdicts stand until it answers again.
            return
        }
        var verdicts: [String: (RegistryHealthState, String)] = [:]
        for record in records where served.contains(record.adapterID) && record.metadata["announced_by"] != local.project {
            let state: RegistryHealthState = switch record.healthStatus {
            case "healthy": .healthy
            case "unhealthy": .unhealthy
            default: .unknown
            }
            verdicts[record.adapterID] = (state, "oneiric health_status \(record.healthStatus) (registry \(client.origin), \(record.metadata["health_detail"] ?? "factory \(record.factoryPath)"))")
        }
        let previous = reported.withLock { $0 }
        for id in previous.keys where verdicts[id] == nil { verdicts[id] = (.unknown, "no longer in the registry") }
        for (id, (state, reason)) in verdicts.sorted(by: { $0.key < $1.key }) where previous[id] != state {
            do {
                try context.reportHealth(of: id, state, reason: reason)
                reported.withLock { $0[id] = state == .unknown ? nil : state }
            } catch {
                context.log(.warning, "oneiric: reporting \(id) \(state) to the host failed: \(error.message)")
            }
        }
    }
}
