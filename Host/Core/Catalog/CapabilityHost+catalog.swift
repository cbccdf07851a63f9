import CapPluginABI

/// The host's registry seen as an Oneiric-style adapter catalog: every live
/// provider, with its live health.
extension CapabilityHost {
    /// Every registered provider that passes `filter`, ordered by id.
    public func adapters(matching filter: AdapterFilter = AdapterFilter()) -> [AdapterEntry] {
        if !filter.project.isEmpty, filter.project != configuration.project { return [] }
        return registry.allCandidates().lazy
            .filter { !$0.isRetired }
            .filter { filter.domain.isEmpty || $0.id.domain == filter.domain }
            .filter { filter.category.isEmpty || $0.id.category == filter.category }
            .map(adapterEntry(for:))
            .filter { !filter.healthyOnly || $0.healthStatus == "healthy" }
    }

    /// The entry for one canonical id (`domain:category:provider`), or nil when no such provider is loaded.
    public func adapter(id: String) -> AdapterEntry? {
        guard let id = CapabilityID(parsing: id), let candidate = registry.candidate(id), !candidate.isRetired else { return nil }
        return adapterEntry(for: candidate)
    }

    /// Checks the provider's health now (through the plugin's `health`) and
    /// returns the observation, or nil when no such provider is loaded.
    public func checkAdapterHealth(id: String) async -> HealthObservation? {
        guard let id = CapabilityID(parsing: id), let candidate = registry.candidate(id), !candidate.isRetired else { return nil }
        let observation = await checkHealth(of: candidate.instance)
        candidate.control.withLock {
            $0.lastHealth = observation
            $0.score.health = observation.healthy ? 1 : 0
        }
        return observation
    }

    /// Records a heartbeat for a provider; false when no such provider is loaded.
    public func heartbeat(id: String) -> Bool {
        guard let id = CapabilityID(parsing: id), let candidate = registry.candidate(id), !candidate.isRetired else { return false }
        candidate.control.withLock { $0.lastHeartbeat = .now }
        return true
    }

    func adapterEntry(for candidate: Candidate) -> AdapterEntry {
        let slot = registry.slot(candidate.id.slot)
        let isActive = slot?.winner === candidate
        let (health, heartbeat, score, breaker) = candidate.control.withLock {
            ($0.lastHealth, $0.lastHeartbeat, $0.score.value, $0.breaker.name)
        }
        let plugin = candidate.plugin
        let lastSeen = [health?.at, heartbeat].compactMap { $0 }.max()
        return AdapterEntry(
            adapterID: candidate.id.description,
            project: configuration.project,
            domain: candidate.id.domain,
            category: candidate.id.category,
            provider: candidate.id.provider,
            capabilities: candidate.capability.methods.map(\.name),
            factoryPath: "\(candidate.instance.image.sourcePath)#\(CAP_PLUGIN_ENTRY_SYMBOL)",
            healthCheckURL: "",
            metadata: [
                "plugin": plugin.name, "version": plugin.version.description, "vendor": plugin.vendor,
                "priority": "\(candidate.priority)", "stack_level": "\(candidate.stackLevel)",
                "status": isActive ? "active" : "standby", "score": String(format: "%.3f", score),
                "breaker": breaker, "description": candidate.capability.description,
            ],
            registeredAt: Int64(candidate.registeredAt.secondsSince1970),
            lastHeartbeat: Int64(lastSeen?.secondsSince1970 ?? 0),
            healthStatus: health.map { $0.healthy ? "healthy" : "unhealthy" } ?? "unknown")
    }
}

extension CapabilityHost {
    /// The methods (with their input schemas) of a loaded provider, or nil when
    /// no such provider is loaded.
    public func methods(of id: CapabilityID) -> [MethodDescriptor]? {
        guard let candidate = registry.candidate(id), !candidate.isRetired else { return nil }
        return candidate.capability.methods
    }
}
