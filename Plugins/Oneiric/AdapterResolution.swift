import PluginKit

/// `resolve_adapter`'s choice among a registry's records for one domain and category: the
/// named provider exactly (never another one in its place), or the best by health (healthy,
/// then unknown, then unhealthy), then the freshest sign of life, then the id; records a host
/// announced as removed are never chosen. The reason says which rule decided.
enum AdapterResolution {
    static func choose(among adapters: [RegistryAdapter], domain: String, category: String, provider: String?,
                       origin: String) throws(PluginError) -> (RegistryAdapter, String) {
        let slot = "\(domain):\(category)"
        let live = adapters.filter { $0.metadata["caphost_status"] != "removed" }
        if let provider {
            guard let pinned = live.first(where: { $0.provider == provider }) else {
                let others = live.map(\.provider).sorted()
                throw .notFound("no provider '\(provider)' for \(slot) in the oneiric registry over \(origin)"
                                + (others.isEmpty ? " (it has none for this slot)" : "; it has: \(others.joined(separator: ", "))"))
            }
            return (pinned, "provider \(provider) asked for by name")
        }
        let ranked = live.sorted(by: precedes)
        guard let best = ranked.first else {
            throw .notFound("the oneiric registry over \(origin) has no adapter for \(slot)")
        }
        guard ranked.count > 1 else { return (best, "\(best.adapterID) is the only candidate") }
        let runnerUp = ranked[1]
        let reason: String
        if rank(best) != rank(runnerUp) {
            reason = "won on health \(best.healthStatus) over \(runnerUp.healthStatus) (\(runnerUp.adapterID))"
        } else if freshness(best) != freshness(runnerUp) {
            reason = "won on the latest sign of life (\(freshness(best)) > \(freshness(runnerUp)), Unix s) over \(runnerUp.adapterID)"
        } else {
            reason = "won on id order over \(runnerUp.adapterID)"
        }
        return (best, reason)
    }

    static func precedes(_ a: RegistryAdapter, _ b: RegistryAdapter) -> Bool {
        if rank(a) != rank(b) { return rank(a) > rank(b) }
        if freshness(a) != freshness(b) { return freshness(a) > freshness(b) }
        return a.adapterID < b.adapterID
    }

    static func rank(_ adapter: RegistryAdapter) -> Int {
        switch adapter.healthStatus {
        case "healthy": 2
        case "unhealthy": 0
        default: 1
        }
    }

    static func freshness(_ adapter: RegistryAdapter) -> Int64 { max(adapter.lastHeartbeat, adapter.registeredAt) }
}
