/// The seed's four Oneiric registry tools, answered from the host's own
/// registry with the reply shapes of Oneiric's MCP server (`{"success": true,
/// "adapters": [...], "count": n}`; entries are `AdapterEntry` JSON).
/// `"source": "local"` says the answer comes from this host's registry, the
/// seed's fallback. MCP offers them as tools and workflows as host tools.
///
/// Replies also carry the fields seed 001's example workflows read: a list's
/// entries under `results` as well, and `adapter_id` beside a fetched adapter.
public enum RegistryQuery: String, CaseIterable, Sendable {
    case listAdapters = "oneiric_list_adapters"
    case resolveAdapter = "oneiric_resolve_adapter"
    case checkHealth = "oneiric_check_health"
    case getAdapter = "oneiric_get_adapter"

    /// A query that could not be answered: a code, a message, and fields for the reply.
    public struct Failure: Error, Sendable {
        public let code: String
        public let message: String
        /// `success: false`, `error`, and `suggestions` for an unknown adapter.
        public let extra: [String: JSONValue]
    }

    /// Answers the query with `arguments` (the tool's JSON arguments).
    public func answer(on host: CapabilityHost, arguments: [String: JSONValue]) async -> Result<JSONValue, Failure> {
        switch self {
        case .listAdapters:
            let filter = AdapterFilter(project: arguments["project"]?.stringValue ?? "",
                                       domain: arguments["domain"]?.stringValue ?? "",
                                       category: arguments["category"]?.stringValue ?? "",
                                       healthyOnly: arguments["healthy_only"]?.boolValue ?? false)
            let adapters = Self.entries(host.adapters(matching: filter))
            return Self.reply(["adapters": adapters, "results": adapters, "count": .number(JSONNumber(adapters.arrayValue?.count ?? 0))])
        case .resolveAdapter:
            let domain = arguments["domain"]?.stringValue ?? ""
            let category = arguments["category"]?.stringValue ?? ""
            let slot = SlotKey(domain: domain, category: category)
            if let provider = arguments["provider"]?.stringValue, !provider.isEmpty {
                let id = CapabilityID(slot: slot, provider: provider)
                guard let entry = host.adapter(id: id.description) else {
                    return Self.notFound("no adapter \(id)", near: id.description, host: host)
                }
                return Self.reply(["adapter": Self.entry(entry), "adapter_id": .string(entry.adapterID),
                                   "decided_by": .string("requested by provider name")])
            }
            guard let winner = host.resolve(slot), let entry = host.adapter(id: winner.description) else {
                let why = host.explain(slot)?.decidedBy ?? "no capability registered for slot \(slot)"
                return Self.notFound("no adapter can serve \(slot): \(why)", near: slot.description, host: host)
            }
            return Self.reply(["adapter": Self.entry(entry), "adapter_id": .string(entry.adapterID),
                               "decided_by": .string(host.explain(slot)?.decidedBy ?? "")])
        case .checkHealth:
            let id = arguments["adapter_id"]?.stringValue ?? ""
            guard CapabilityID(parsing: id) != nil else { return Self.malformedID(id) }
            guard let observation = await host.checkAdapterHealth(id: id) else {
                return Self.notFound("no adapter \(id)", near: id, host: host)
            }
            return Self.reply(["adapter_id": .string(id), "healthy": .bool(observation.healthy),
                               "health_status": .string(observation.healthy ? "healthy" : "unhealthy"),
                               "status": .string(observation.status), "message": .string(observation.message),
                               "checked_at": .number(JSONNumber(observation.at.secondsSince1970))])
        case .getAdapter:
            let id: String
            if let given = arguments["adapter_id"]?.stringValue {
                id = given
            } else {
                let category = arguments["key"]?.stringValue ?? arguments["category"]?.stringValue ?? ""
                id = "\(arguments["domain"]?.stringValue ?? ""):\(category):\(arguments["provider"]?.stringValue ?? "")"
            }
            guard CapabilityID(parsing: id) != nil else { return Self.malformedID(id) }
            guard let entry = host.adapter(id: id) else { return Self.notFound("no adapter \(id)", near: id, host: host) }
            return Self.reply(["adapter": Self.entry(entry), "adapter_id": .string(entry.adapterID)])
        }
    }

    private static func reply(_ members: [String: JSONValue]) -> Result<JSONValue, Failure> {
        var reply = members
        reply["success"] = true
        reply["source"] = "local"
        return .success(.object(reply))
    }

    /// Seed 001: "Adapter Not Found: raise a specific error with suggestions".
    private static func notFound(_ message: String, near target: String, host: CapabilityHost) -> Result<JSONValue, Failure> {
        let suggestions = self.suggestions(near: target, among: host.adapters().map(\.adapterID))
        var text = message
        if !suggestions.isEmpty { text += "; did you mean \(suggestions.joined(separator: ", "))?" }
        return .failure(Failure(code: "not_found", message: text,
                                extra: ["success": false, "error": .string(text), "suggestions": .array(suggestions.map { .string($0) })]))
    }

    private static func malformedID(_ id: String) -> Result<JSONValue, Failure> {
        .failure(Failure(code: "invalid_argument",
                         message: "adapter_id '\(id)' is not domain:category:provider (e.g. adapter:notifier:mailgun)",
                         extra: ["success": false, "error": .string("adapter_id '\(id)' is not domain:category:provider")]))
    }

    /// Known ids closest to `target`: same slot first, then same category, provider or domain; at most 10.
    public static func suggestions(near target: String, among known: [String]) -> [String] {
        let parts = target.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        func rank(_ id: String) -> Int? {
            let other = id.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
            guard other.count == 3, parts.count >= 2 else { return nil }
            if other[0] == parts[0] && other[1] == parts[1] { return 0 }
            if other[1] == parts[1] { return 1 }
            if parts.count == 3, other[2] == parts[2] { return 2 }
            if other[0] == parts[0] { return 3 }
            return nil
        }
        return known.compactMap { id in rank(id).map { (id, $0) } }
            .sorted { ($0.1, $0.0) < ($1.1, $1.0) }
            .prefix(10).map(\.0)
    }

    private static func entry(_ entry: AdapterEntry) -> JSONValue {
        (try? JSONValue(encoding: entry)) ?? .null
    }

    private static func entries(_ entries: [AdapterEntry]) -> JSONValue {
        .array(entries.map(entry))
    }
}
