import CapHostCore
import Foundation

extension HostClient {
    /// `GET /healthz`: whether the host process answers at all (no token needed).
    public func health() async throws(HostClientError) -> Bool {
        let response = try await call("GET", "/healthz")
        return response.status == 200
    }

    /// `GET /readyz`: plugin and capability counts once ready; a `not_ready` error before.
    public func readiness() async throws(HostClientError) -> HostReadiness {
        try await get(HostReadiness.self, "/readyz")
    }

    /// `GET /v1/plugins`: every plugin file the host knows, loaded or not, with why.
    public func plugins() async throws(HostClientError) -> [PluginReport] {
        struct Answer: Decodable { let plugins: [PluginReport] }
        return try await get(Answer.self, "/v1/plugins").plugins
    }

    /// `GET /v1/capabilities`: every slot's explanation.
    public func capabilities() async throws(HostClientError) -> [SlotExplanation] {
        struct Answer: Decodable { let capabilities: [SlotExplanation] }
        return try await get(Answer.self, "/v1/capabilities").capabilities
    }

    /// `GET /v1/capabilities/{domain}/{category}/explain`.
    public func explain(_ slot: SlotKey) async throws(HostClientError) -> SlotExplanation {
        try await get(SlotExplanation.self, Self.slotPath(slot) + "/explain")
    }

    /// `POST /v1/resolve`: the provider a slot resolves to now.
    public func resolve(_ slot: SlotKey) async throws(HostClientError) -> Resolution {
        let path = "/v1/resolve"
        let response = try await call("POST", path, json: ["slot": slot.description])
        return try decode(Resolution.self, from: response, method: "POST", path: path)
    }

    /// `POST /v1/invoke/…/{method}`: calls a slot's winner or one provider with a
    /// JSON payload and returns the plugin's response bytes verbatim. A `deadline`
    /// is sent as `Caphost-Timeout`, so the host ends the call (504 `timeout`) when
    /// it overruns; without one the host's default applies.
    public func invoke(_ target: CapabilityReference, method: String, payload: [UInt8],
                       deadline: Duration? = nil) async throws(HostClientError) -> InvocationResult {
        var headers: [(String, String)] = []
        var timeout: Duration?
        if let deadline {
            let seconds = Double(deadline.components.seconds) + Double(deadline.components.attoseconds) / 1e18
            headers.append(("Caphost-Timeout", String(seconds)))
            // Leave the host time to answer with its own timeout error.
            timeout = max(requestTimeout, deadline + .seconds(5))
        }
        let response = try await call("POST", Self.invokePath(target, method: method), body: payload, headers: headers, timeout: timeout)
        return InvocationResult(body: response.body, provider: response.header("Caphost-Provider"))
    }

    /// A durable invoke: the host journals the call before answering and delivers
    /// it with retries; a repeated `idempotencyKey` returns the existing delivery.
    public func invokeDurably(_ target: CapabilityReference, method: String, payload: [UInt8],
                              idempotencyKey: String? = nil) async throws(HostClientError) -> DeliveryReceipt {
        var headers = [("Caphost-Durable", "true")]
        if let idempotencyKey { headers.append(("Idempotency-Key", idempotencyKey)) }
        let path = Self.invokePath(target, method: method)
        let response = try await call("POST", path, body: payload, headers: headers)
        var receipt = try decode(DeliveryReceipt.self, from: response, method: "POST", path: path)
        receipt.status = response.status
        return receipt
    }

    /// `GET /v1/deliveries/{id}`: one durable delivery's record.
    public func delivery(id: String) async throws(HostClientError) -> JSONValue {
        try await get(JSONValue.self, "/v1/deliveries/" + Self.segment(id))
    }

    /// `GET /v1/deliveries`: deliveries, optionally of one state (`pending`, `delivered`, `dead`).
    public func deliveries(state: String? = nil, limit: Int? = nil) async throws(HostClientError) -> DeliveryList {
        var query: [(String, String)] = []
        if let state { query.append(("state", state)) }
        if let limit { query.append(("limit", String(limit))) }
        return try await get(DeliveryList.self, "/v1/deliveries", query: query)
    }

    /// `POST …/swap`: health-checks `provider` and makes it the slot's active one.
    public func swap(_ slot: SlotKey, to provider: String, reason: String? = nil) async throws(HostClientError) -> SwapOutcome {
        struct Request: Encodable { let provider: String; let reason: String? }
        let path = Self.slotPath(slot) + "/swap"
        let response = try await call("POST", path, json: Request(provider: provider, reason: reason))
        return try decode(SwapOutcome.self, from: response, method: "POST", path: path)
    }

    /// `PUT …/pin`: pins the slot to `provider` (which may not be loaded yet).
    public func pin(_ slot: SlotKey, to provider: String) async throws(HostClientError) -> SlotExplanation {
        let path = Self.slotPath(slot) + "/pin"
        let response = try await call("PUT", path, json: ["provider": provider])
        return try decode(SlotExplanation.self, from: response, method: "PUT", path: path)
    }

    /// `DELETE …/pin`: removes the slot's pin (or swap override).
    public func unpin(_ slot: SlotKey) async throws(HostClientError) -> SlotExplanation {
        let path = Self.slotPath(slot) + "/pin"
        let response = try await call("DELETE", path)
        return try decode(SlotExplanation.self, from: response, method: "DELETE", path: path)
    }

    /// `POST …/{provider}/drain`: stops routing new calls to the provider and
    /// answers once its in-flight calls finished (so the deadline is long).
    public func drain(_ id: CapabilityID, reason: String? = nil, timeout: Duration = .seconds(600)) async throws(HostClientError) -> DrainResult {
        struct Request: Encodable { let reason: String? }
        let path = Self.providerPath(id) + "/drain"
        let response = try await call("POST", path, json: Request(reason: reason), timeout: timeout)
        return try decode(DrainResult.self, from: response, method: "POST", path: path)
    }

    /// `POST …/{provider}/resume`: lets a drained provider take calls again; returns its id.
    public func resume(_ id: CapabilityID) async throws(HostClientError) -> String {
        struct Answer: Decodable { let provider: String }
        let path = Self.providerPath(id) + "/resume"
        let response = try await call("POST", path)
        return try decode(Answer.self, from: response, method: "POST", path: path).provider
    }

    /// `POST /v1/plugins/{name}/resume`: lifts a plugin's quarantine or the host's override
    /// (after a host crash during its call); returns what was done.
    public func resumePlugin(_ name: String) async throws(HostClientError) -> String {
        struct Answer: Decodable { let done: String }
        let path = "/v1/plugins/\(name.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "/"))) ?? name)/resume"
        let response = try await call("POST", path)
        return try decode(Answer.self, from: response, method: "POST", path: path).done
    }

    /// `GET /v1/events`: recorded events after sequence `after`, oldest first.
    public func events(after: UInt64? = nil, limit: Int? = nil, kinds: [HostEvent.Kind] = []) async throws(HostClientError) -> [HostEvent] {
        struct Answer: Decodable { let events: [HostEvent] }
        return try await get(Answer.self, "/v1/events", query: Self.eventQuery(after: after, limit: limit, kinds: kinds)).events
    }

    /// `GET /metrics`: the Prometheus text exposition.
    public func metrics() async throws(HostClientError) -> String {
        try await call("GET", "/metrics").text
    }

    // MARK: Paths

    static func slotPath(_ slot: SlotKey) -> String {
        "/v1/capabilities/\(segment(slot.domain))/\(segment(slot.category))"
    }

    static func providerPath(_ id: CapabilityID) -> String {
        slotPath(id.slot) + "/" + segment(id.provider)
    }

    static func invokePath(_ target: CapabilityReference, method: String) -> String {
        switch target {
        case .slot(let slot):
            "/v1/invoke/\(segment(slot.domain))/\(segment(slot.category))/\(segment(method))"
        case .provider(let id):
            "/v1/invoke/\(segment(id.domain))/\(segment(id.category))/\(segment(id.provider))/\(segment(method))"
        }
    }

    static func eventQuery(after: UInt64?, limit: Int?, kinds: [HostEvent.Kind]) -> [(String, String)] {
        var query: [(String, String)] = []
        if let after { query.append(("after", String(after))) }
        if let limit { query.append(("limit", String(limit))) }
        if !kinds.isEmpty { query.append(("kind", kinds.map(\.rawValue).joined(separator: ","))) }
        return query
    }

    private func get<T: Decodable>(_ type: T.Type, _ path: String, query: [(String, String)] = []) async throws(HostClientError) -> T {
        let response = try await call("GET", path, query: query)
        return try decode(T.self, from: response, method: "GET", path: path)
    }
}
