/// One capability provider described the way the seed's Oneiric registry does
/// (REFERENCE §1 `AdapterEntry`): what the gRPC `AdapterRegistry` and the MCP
/// `oneiric_*` tools answer with.
public struct AdapterEntry: Sendable, Codable, Hashable {
    /// The canonical id `domain:category:provider` (also Oneiric's adapter id).
    public let adapterID: String
    /// The project the host announces itself as (`HostConfiguration.project`).
    public let project: String
    public let domain: String
    public let category: String
    public let provider: String
    /// The capability's method names.
    public let capabilities: [String]
    /// Where the provider comes from: `<plugin file>#<entry symbol>`.
    public let factoryPath: String
    /// Empty: plugins are health-checked in process, not by URL.
    public let healthCheckURL: String
    /// Plugin name, version, vendor, priority, stack level, status, score, breaker.
    public let metadata: [String: String]
    /// When this provider was registered (Unix seconds).
    public let registeredAt: Int64
    /// The last heartbeat or health check (Unix seconds; 0 = never).
    public let lastHeartbeat: Int64
    /// `healthy`, `unhealthy` or `unknown` (never checked).
    public let healthStatus: String

    enum CodingKeys: String, CodingKey {
        case adapterID = "adapter_id", project, domain, category, provider, capabilities
        case factoryPath = "factory_path", healthCheckURL = "health_check_url", metadata
        case registeredAt = "registered_at", lastHeartbeat = "last_heartbeat", healthStatus = "health_status"
    }
}

/// Which entries `CapabilityHost.adapters(matching:)` returns; empty strings match everything.
public struct AdapterFilter: Sendable, Hashable {
    public var project: String
    public var domain: String
    public var category: String
    public var healthyOnly: Bool

    public init(project: String = "", domain: String = "", category: String = "", healthyOnly: Bool = false) {
        self.project = project
        self.domain = domain
        self.category = category
        self.healthyOnly = healthyOnly
    }
}
