import PluginKit

/// The host's own registry seen as adapter records (ABI 1.2 `describe_capabilities`): the
/// fallback when the remote registry is down, and what announcements are made of.
struct LocalRegistry: Sendable {
    let context: PluginContext
    let project: String

    /// Every candidate the host serves, in the plugin's adapter shape, ordered by id.
    func adapters() throws(PluginError) -> [RegistryAdapter] {
        let graph = try context.capabilityGraph()
        return graph.slots.flatMap { slot in slot.candidates.map { adapter(slot: slot, candidate: $0) } }
            .sorted { $0.adapterID < $1.adapterID }
    }

    func adapter(slot: CapabilityGraph.Slot, candidate: CapabilityGraph.Candidate) -> RegistryAdapter {
        let health = switch candidate.breaker {
        case "closed": candidate.status == "excluded" ? "unhealthy" : "healthy"
        case "open": "unhealthy"
        default: "unknown"
        }
        return RegistryAdapter(
            adapterID: candidate.id, project: project, domain: slot.domain, category: slot.category,
            provider: candidate.provider, version: candidate.version, capabilities: [],
            factoryPath: "caphost:\(candidate.plugin)@\(candidate.version)",
            metadata: [
                "category": slot.category, "project": project, "plugin": candidate.plugin,
                "caphost_status": candidate.status, "priority": "\(candidate.priority)",
                "stack_level": "\(candidate.stackLevel)", "score": "\(candidate.score)", "breaker": candidate.breaker,
                "reason": candidate.reason,
            ],
            registeredAt: 0, lastHeartbeat: 0, healthStatus: health)
    }
}
