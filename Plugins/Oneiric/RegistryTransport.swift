/// One way of reaching a registry: gRPC `AdapterRegistry` or Oneiric's MCP tools. Every call is
/// bounded by `timeout`; failures are ``RegistryFailure``s the client classifies.
protocol RegistryTransport: Sendable {
    /// `grpc` or `mcp`: named in every answer and every error.
    var kind: String { get }
    /// Where the registry is (`127.0.0.1:8679`, `http://127.0.0.1:8681/mcp`).
    var address: String { get }

    func list(_ query: AdapterQuery, timeout: Duration) async throws(RegistryFailure) -> [RegistryAdapter]
    /// NOT_FOUND (`RegistryFailure.notFound`) when the registry has no such adapter.
    func get(_ id: AdapterID, timeout: Duration) async throws(RegistryFailure) -> RegistryAdapter
    func health(_ id: AdapterID, timeout: Duration) async throws(RegistryFailure) -> RegistryHealth
    /// Whether the registry still has the adapter (and recorded the heartbeat where it can).
    func heartbeat(_ id: AdapterID, timeout: Duration) async throws(RegistryFailure) -> Bool
    /// Creates or replaces the record.
    func store(_ adapter: RegistryAdapter, timeout: Duration) async throws(RegistryFailure)
    /// Takes the record away, or marks it removed where the registry cannot delete.
    func remove(_ adapter: RegistryAdapter, timeout: Duration) async throws(RegistryFailure)
    /// Closes connections; no call is made afterwards.
    func shutdown() async
}

/// `list_adapters`' filters; an empty string matches everything.
struct AdapterQuery: Codable, Sendable, Hashable {
    var project: String = ""
    var domain: String = ""
    var category: String = ""
    var healthyOnly: Bool = false

    enum CodingKeys: String, CodingKey { case project, domain, category, healthyOnly = "healthy_only" }

    init(project: String = "", domain: String = "", category: String = "", healthyOnly: Bool = false) {
        self.project = project
        self.domain = domain
        self.category = category
        self.healthyOnly = healthyOnly
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        project = try container.decodeIfPresent(String.self, forKey: .project) ?? ""
        domain = try container.decodeIfPresent(String.self, forKey: .domain) ?? ""
        category = try container.decodeIfPresent(String.self, forKey: .category) ?? ""
        healthyOnly = try container.decodeIfPresent(Bool.self, forKey: .healthyOnly) ?? false
    }

    /// Whether `adapter` passes the filters (applied again to every answer, whatever the
    /// registry filtered itself: Oneiric's MCP tool has no project or health filter).
    func matches(_ adapter: RegistryAdapter) -> Bool {
        (project.isEmpty || adapter.project == project) && (domain.isEmpty || adapter.domain == domain)
            && (category.isEmpty || adapter.category == category) && (!healthyOnly || adapter.healthStatus == "healthy")
    }

    /// The cache key.
    var key: String { "list|\(project)|\(domain)|\(category)|\(healthyOnly)" }
}

/// A registry's answer about one adapter's health.
struct RegistryHealth: Codable, Sendable, Hashable {
    var healthy: Bool
    /// `healthy`, `unhealthy` or `unknown`.
    var status: String
    /// The registry's reason, when it gives one.
    var detail: String?
}

/// Why a remote call failed.
enum RegistryFailure: Error, Sendable, Hashable {
    /// No connection (refused, reset, DNS): worth a retry.
    case unreachable(String)
    /// The registry answered that it cannot serve now: worth a retry.
    case unavailable(String)
    /// The call's time ran out.
    case timedOut(String)
    case notFound(String)
    /// The credential was refused.
    case refused(String)
    /// The registry refused the request itself.
    case rejected(String)
    /// The answer could not be read.
    case malformed(String)
    /// The MCP server no longer knows the session (it restarted): initialise again.
    case sessionLost(String)

    /// Whether another attempt may succeed.
    var isTransient: Bool {
        switch self {
        case .unreachable, .unavailable, .sessionLost: true
        case .timedOut, .notFound, .refused, .rejected, .malformed: false
        }
    }

    /// Whether the registry is to blame (feeds the breaker and allows stale/local answers).
    var isRegistryDown: Bool {
        switch self {
        case .unreachable, .unavailable, .timedOut, .malformed, .sessionLost: true
        case .notFound, .refused, .rejected: false
        }
    }

    var reason: String {
        switch self {
        case .unreachable(let text), .unavailable(let text), .timedOut(let text), .notFound(let text),
             .refused(let text), .rejected(let text), .malformed(let text), .sessionLost(let text): text
        }
    }

    /// The first bytes of a reply, printable, for "malformed reply" messages.
    static func quote(_ bytes: some Collection<UInt8>) -> String {
        let shown = bytes.prefix(120).map { byte -> Character in
            (0x20..<0x7f).contains(byte) ? Character(UnicodeScalar(byte)) : "."
        }
        return "\"\(String(shown))\"" + (bytes.count > 120 ? "… (\(bytes.count) bytes)" : "")
    }
}
