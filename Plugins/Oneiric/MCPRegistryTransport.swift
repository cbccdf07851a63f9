import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import Synchronization

/// Oneiric's own registry over MCP streamable HTTP (`oneiric mcp start`, REFERENCE §1):
/// `initialize` once, then `tools/call` with the `Mcp-Session-Id` it gave; JSON and SSE replies
/// both read (``MCPReply``); a lost session (the server restarted) is initialised again once
/// and the call repeated. Oneiric's MCP tools have no heartbeat and no delete: a heartbeat is a
/// lookup, and a removal re-stores the record with `metadata.caphost_status = "removed"`.
final class MCPRegistryTransport: RegistryTransport {
    static let protocolVersion = "2025-06-18"

    let kind = "mcp"
    let address: String
    private let token: String?
    private let loop: RegistryEventLoop
    private let clientConfiguration: HTTPClient.Configuration
    /// The HTTP client once the first exchange made it; `closed` once shut down.
    private let started = Mutex<(client: HTTPClient?, closed: Bool)>((nil, false))
    private let session = Mutex<String?>(nil)
    private let nextID = Atomic<Int>(1)

    init(settings: OneiricConfiguration.MCPSettings, loop: RegistryEventLoop) {
        address = settings.url
        token = settings.token
        self.loop = loop
        var configuration = HTTPClient.Configuration()
        configuration.redirectConfiguration = .disallow
        configuration.decompression = .disabled
        configuration.connectionPool.retryConnectionEstablishment = false
        clientConfiguration = configuration
    }

    /// The HTTP client on the instance's event loop, made on first use.
    private func client() throws(RegistryFailure) -> HTTPClient {
        let group = try loop.group()
        let client = started.withLock { started -> HTTPClient? in
            if started.closed { return nil }
            if let client = started.client { return client }
            let client = HTTPClient(eventLoopGroupProvider: .shared(group), configuration: clientConfiguration)
            started.client = client
            return client
        }
        guard let client else { throw .unavailable("the plugin is shutting down") }
        return client
    }

    func list(_ query: AdapterQuery, timeout: Duration) async throws(RegistryFailure) -> [RegistryAdapter] {
        var arguments: [String: Any] = [:]
        if !query.domain.isEmpty { arguments["domain"] = query.domain }
        // Oneiric filters category on metadata.category, which its own records may lack: the
        // plugin filters on the record's key itself (AdapterQuery.matches) instead.
        let result = try await tool("oneiric_list_adapters", arguments, timeout: timeout)
        try Self.requireSuccess(result, tool: "oneiric_list_adapters")
        guard let records = result["adapters"] as? [[String: Any]] else {
            throw .malformed("oneiric_list_adapters: no 'adapters' list in \(RegistryFailure.quote(Self.json(result)))")
        }
        return try records.map { record throws(RegistryFailure) in try Self.adapter(record) }
    }

    func get(_ id: AdapterID, timeout: Duration) async throws(RegistryFailure) -> RegistryAdapter {
        let result = try await tool("oneiric_get_adapter", ["domain": id.domain, "key": id.category, "provider": id.provider],
                                    timeout: timeout)
        if result["success"] as? Bool == false, let error = result["error"] as? String, error.contains("not found") {
            throw .notFound(error)
        }
        try Self.requireSuccess(result, tool: "oneiric_get_adapter")
        guard let record = result["adapter"] as? [String: Any] else {
            throw .malformed("oneiric_get_adapter: no 'adapter' in \(RegistryFailure.quote(Self.json(result)))")
        }
        return try Self.adapter(record)
    }

    func health(_ id: AdapterID, timeout: Duration) async throws(RegistryFailure) -> RegistryHealth {
        let result = try await tool("oneiric_get_adapter_health",
                                    ["domain": id.domain, "key": id.category, "provider": id.provider], timeout: timeout)
        try Self.requireSuccess(result, tool: "oneiric_get_adapter_health")
        guard let health = result["health"] as? [String: Any], let healthy = health["healthy"] as? Bool else {
            throw .malformed("oneiric_get_adapter_health: no 'health.healthy' in \(RegistryFailure.quote(Self.json(result)))")
        }
        if result["registry"] is NSNull || result["registry"] == nil, !healthy {
            throw .notFound(health["error"] as? String ?? "Adapter not found: \(id)")
        }
        return RegistryHealth(healthy: healthy, status: health["status"] as? String ?? (healthy ? "healthy" : "unhealthy"),
                              detail: health["error"] as? String)
    }

    func heartbeat(_ id: AdapterID, timeout: Duration) async throws(RegistryFailure) -> Bool {
        do {
            _ = try await get(id, timeout: timeout)
            return true
        } catch .notFound {
            return false
        }
    }

    func store(_ adapter: RegistryAdapter, timeout: Duration) async throws(RegistryFailure) {
        var metadata: [String: Any] = adapter.metadata
        metadata["category"] = adapter.category
        metadata["project"] = adapter.project
        let arguments: [String: Any] = [
            "domain": adapter.domain, "key": adapter.category, "provider": adapter.provider,
            "version": adapter.version ?? "0.0.0", "factory_path": adapter.factoryPath,
            "capabilities": adapter.capabilities, "metadata": metadata,
        ]
        let result = try await tool("oneiric_store_adapter", arguments, timeout: timeout)
        try Self.requireSuccess(result, tool: "oneiric_store_adapter")
    }

    func remove(_ adapter: RegistryAdapter, timeout: Duration) async throws(RegistryFailure) {
        var removed = adapter
        removed.metadata["caphost_status"] = "removed"
        removed.metadata["removed_at"] = "\(Int64(Date().timeIntervalSince1970))"
        try await store(removed, timeout: timeout)
    }

    func shutdown() async {
        let client = started.withLock { started in
            defer { started = (nil, true) }
            return started.client
        }
        guard let client else { return }
        if let id = session.withLock({ $0 }) {
            var request = HTTPClientRequest(url: address)
            request.method = .DELETE
            request.headers.add(name: "Mcp-Session-Id", value: id)
            request.headers.add(name: "MCP-Protocol-Version", value: Self.protocolVersion)
            _ = try? await client.execute(request, timeout: .seconds(1))
        }
        try? await client.shutdown()
    }

    // MARK: - The protocol

    /// Calls `name`, initialising a session first when there is none and once more when the
    /// server no longer knows the one it gave.
    private func tool(_ name: String, _ arguments: [String: Any], timeout: Duration) async throws(RegistryFailure) -> [String: Any] {
        let deadline = ContinuousClock.now + timeout
        let params: [String: Any] = ["name": name, "arguments": arguments]
        let sessionID = try await currentSession(deadline: deadline)
        do {
            return try MCPReply.toolResult(try await post("tools/call", params, session: sessionID, deadline: deadline), tool: name)
        } catch .sessionLost {
            session.withLock { if $0 == sessionID { $0 = nil } }
            let renewed = try await currentSession(deadline: deadline)
            return try MCPReply.toolResult(try await post("tools/call", params, session: renewed, deadline: deadline), tool: name)
        }
    }

    private func currentSession(deadline: ContinuousClock.Instant) async throws(RegistryFailure) -> String? {
        if let id = session.withLock({ $0 }) { return id }
        let params: [String: Any] = [
            "protocolVersion": Self.protocolVersion, "capabilities": [String: Any](),
            "clientInfo": ["name": "caphost-oneiric", "version": OneiricPlugin.manifest.version],
        ]
        let (reply, id) = try await exchange("initialize", params, session: nil, deadline: deadline, notification: false)
        guard reply?["result"] is [String: Any] else {
            throw .malformed("initialize: no result in \(RegistryFailure.quote(Self.json(reply ?? [:])))")
        }
        _ = try await exchange("notifications/initialized", [:], session: id, deadline: deadline, notification: true)
        session.withLock { $0 = id }
        return id
    }

    private func post(_ method: String, _ params: [String: Any], session id: String?,
                      deadline: ContinuousClock.Instant) async throws(RegistryFailure) -> [String: Any] {
        let (reply, _) = try await exchange(method, params, session: id, deadline: deadline, notification: false)
        guard let reply else { throw .malformed("\(method): an empty reply") }
        return reply
    }

    /// One POST; `.sessionLost` when the server does not know the session (404, or 400 naming it).
    private func exchange(_ method: String, _ params: [String: Any], session id: String?, deadline: ContinuousClock.Instant,
                          notification: Bool) async throws(RegistryFailure) -> ([String: Any]?, String?) {
        let requestID = nextID.add(1, ordering: .relaxed).oldValue
        var message: [String: Any] = ["jsonrpc": "2.0", "method": method]
        if !params.isEmpty || !notification { message["params"] = params }
        if !notification { message["id"] = requestID }
        var request = HTTPClientRequest(url: address)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "Accept", value: "application/json, text/event-stream")
        if let id {
            request.headers.add(name: "Mcp-Session-Id", value: id)
            request.headers.add(name: "MCP-Protocol-Version", value: Self.protocolVersion)
        }
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        request.body = .bytes(ByteBuffer(bytes: Self.json(message)))
        let remaining = deadline - ContinuousClock.now
        guard remaining > .zero else { throw .timedOut("\(method): the deadline passed before the request was sent") }
        let http = try client()
        let response: HTTPClientResponse
        let body: ByteBuffer
        do {
            response = try await http.execute(request, timeout: .nanoseconds(Self.nanoseconds(remaining)))
            body = try await response.body.collect(upTo: 32 << 20)
        } catch let error as HTTPClientError where [.deadlineExceeded, .readTimeout, .connectTimeout].contains(error) {
            throw .timedOut("\(method): no answer within the deadline")
        } catch {
            throw .unreachable("\(method): \(error)")
        }
        let bytes = Array(body.readableBytesView)
        let sessionLost = response.status == .notFound
            || (response.status == .badRequest && String(decoding: bytes, as: UTF8.self).lowercased().contains("session"))
        if id != nil, sessionLost { throw .sessionLost("\(method): HTTP \(response.status.code) \(RegistryFailure.quote(bytes))") }
        switch response.status.code {
        case 200..<300: break
        case 401, 403: throw .refused("\(method): HTTP \(response.status.code) \(RegistryFailure.quote(bytes))")
        case 500...: throw .unavailable("\(method): HTTP \(response.status.code) \(RegistryFailure.quote(bytes))")
        default: throw .rejected("\(method): HTTP \(response.status.code) \(RegistryFailure.quote(bytes))")
        }
        let newSession = response.headers.first(name: "mcp-session-id") ?? id
        if notification || bytes.isEmpty { return (nil, newSession) }
        let contentType = response.headers.first(name: "content-type") ?? "application/json"
        return (try MCPReply.message(from: bytes, contentType: contentType, id: requestID), newSession)
    }

    private static func requireSuccess(_ result: [String: Any], tool: String) throws(RegistryFailure) {
        guard result["success"] as? Bool != false else {
            throw .rejected("\(tool): \(result["error"] as? String ?? "success: false")")
        }
    }

    /// An Oneiric registry record in the plugin's shape.
    static func adapter(_ record: [String: Any]) throws(RegistryFailure) -> RegistryAdapter {
        guard let domain = record["domain"] as? String, let key = record["key"] as? String,
              let provider = record["provider"] as? String else {
            throw .malformed("a record without domain, key and provider: \(RegistryFailure.quote(json(record)))")
        }
        var metadata: [String: String] = [:]
        for (name, value) in record["metadata"] as? [String: Any] ?? [:] {
            metadata[name] = value as? String ?? String(decoding: json(value), as: UTF8.self)
        }
        let created = timestamp(record["created_at"])
        let checked = timestamp(record["last_health_check"])
        return RegistryAdapter(
            adapterID: record["adapter_id"] as? String ?? "\(domain):\(key):\(provider)",
            project: metadata["project"] ?? "", domain: domain, category: key, provider: provider,
            version: record["version"] as? String, capabilities: record["capabilities"] as? [String] ?? [],
            factoryPath: record["factory_path"] as? String ?? "", healthCheckURL: "",
            metadata: metadata, registeredAt: created, lastHeartbeat: max(checked, timestamp(record["updated_at"])),
            healthStatus: record["health_status"] as? String ?? "unknown")
    }

    /// Unix seconds of an ISO 8601 time (Oneiric writes `2026-12-03T17:02:11.123456+00:00`); 0 when absent.
    static func timestamp(_ value: Any?) -> Int64 {
        guard let text = value as? String else { return 0 }
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = formatter.date(from: text) { return Int64(date.timeIntervalSince1970) }
        formatter.formatOptions = [.withInternetDateTime]
        if let date = formatter.date(from: text) { return Int64(date.timeIntervalSince1970) }
        return 0
    }

    static func json(_ value: Any) -> [UInt8] {
        guard JSONSerialization.isValidJSONObject(value) || value is String || value is NSNumber else { return Array("\(value)".utf8) }
        return (try? JSONSerialization.data(withJSONObject: value, options: [.fragmentsAllowed, .sortedKeys])).map(Array.init) ?? []
    }

    private static func nanoseconds(_ duration: Duration) -> Int64 {
        duration.components.seconds * 1_000_000_000 + duration.components.attoseconds / 1_000_000_000
    }
}
