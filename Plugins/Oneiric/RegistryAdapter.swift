import OneiricWire

/// One adapter record in the one shape every answer uses, whichever transport it came from:
/// the seed's `AdapterEntry` fields, plus `version` when the registry keeps one (Oneiric's MCP
/// registry does).
struct RegistryAdapter: Codable, Sendable, Hashable {
    /// `domain:category:provider` (Oneiric's `domain:key:provider`).
    var adapterID: String
    var project: String
    var domain: String
    var category: String
    var provider: String
    var version: String?
    var capabilities: [String]
    var factoryPath: String
    var healthCheckURL: String
    var metadata: [String: String]
    /// Unix seconds; 0 when the registry does not say.
    var registeredAt: Int64
    var lastHeartbeat: Int64
    /// `healthy`, `unhealthy` or `unknown`.
    var healthStatus: String

    enum CodingKeys: String, CodingKey {
        case adapterID = "adapter_id", project, domain, category, provider, version, capabilities
        case factoryPath = "factory_path", healthCheckURL = "health_check_url", metadata
        case registeredAt = "registered_at", lastHeartbeat = "last_heartbeat", healthStatus = "health_status"
    }

    /// From the gRPC wire form.
    init(_ entry: Oneiric_Registry_V1_AdapterEntry) {
        adapterID = entry.adapterID
        project = entry.project
        domain = entry.domain
        category = entry.category
        provider = entry.provider
        version = entry.metadata["version"]
        capabilities = entry.capabilities
        factoryPath = entry.factoryPath
        healthCheckURL = entry.healthCheckURL
        metadata = entry.metadata
        registeredAt = entry.registeredAt
        lastHeartbeat = entry.lastHeartbeat
        healthStatus = entry.healthStatus.isEmpty ? "unknown" : entry.healthStatus
    }

    init(adapterID: String, project: String, domain: String, category: String, provider: String, version: String?,
         capabilities: [String], factoryPath: String, healthCheckURL: String = "", metadata: [String: String],
         registeredAt: Int64, lastHeartbeat: Int64, healthStatus: String) {
        self.adapterID = adapterID
        self.project = project
        self.domain = domain
        self.category = category
        self.provider = provider
        self.version = version
        self.capabilities = capabilities
        self.factoryPath = factoryPath
        self.healthCheckURL = healthCheckURL
        self.metadata = metadata
        self.registeredAt = registeredAt
        self.lastHeartbeat = lastHeartbeat
        self.healthStatus = healthStatus
    }

    /// The gRPC wire form (for StoreAdapter).
    var entry: Oneiric_Registry_V1_AdapterEntry {
        var entry = Oneiric_Registry_V1_AdapterEntry()
        entry.adapterID = adapterID
        entry.project = project
        entry.domain = domain
        entry.category = category
        entry.provider = provider
        entry.capabilities = capabilities
        entry.factoryPath = factoryPath
        entry.healthCheckURL = healthCheckURL
        entry.metadata = metadata
        if let version { entry.metadata["version"] = version }
        entry.registeredAt = registeredAt
        entry.lastHeartbeat = lastHeartbeat
        entry.healthStatus = healthStatus
        return entry
    }
}

/// A canonical `domain:category:provider`, checked.
struct AdapterID: Sendable, Hashable, CustomStringConvertible {
    let domain: String
    let category: String
    let provider: String

    init?(_ text: String) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 3, parts.allSatisfy({ part in
            !part.isEmpty && part.utf8.count <= 64 && part.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "_.-".contains($0)) }
        }) else { return nil }
        domain = String(parts[0])
        category = String(parts[1])
        provider = String(parts[2])
    }

    var description: String { "\(domain):\(category):\(provider)" }
}
