import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import PluginKit
import Synchronization

/// An MCP streamable-HTTP client of one session-buddy server (REFERENCE §3): `initialize`
/// (protocol `2025-06-18`) once, keeps the `Mcp-Session-Id` it gets and sends it with
/// `MCP-Protocol-Version` on every later request, `notifications/initialized`, reads JSON and
/// SSE replies alike (``MCPReply``), initialises once more and repeats the call when the server
/// no longer knows the session (404 after a restart), and `DELETE`s the session at
/// ``shutdown()``.
///
/// Every request is bounded by the configured timeout and by the call's deadline; a request
/// whose connection failed before it was sent is retried up to `max_attempts` times. The HTTP
/// client and its one event loop thread start at the first exchange.
final class MCPSessionClient: Sendable {
    static let protocolVersion = "2025-06-18"

    let url: String
    private let configuration: SessionBuddyConfiguration
    private let context: PluginContext
    private let httpConfiguration: HTTPClient.Configuration
    private let state = Mutex<State>(.idle)
    /// The session id and the protocol version the server agreed to.
    private let session = Mutex<(id: String, version: String)?>(nil)
    private let nextID = Atomic<Int>(1)

    private enum State {
        case idle
        case running(MultiThreadedEventLoopGroup, HTTPClient)
        case stopped
    }

    init(configuration: SessionBuddyConfiguration, context: PluginContext) {
        url = configuration.url
        self.configuration = configuration
        self.context = context
        var http = HTTPClient.Configuration()
        http.redirectConfiguration = .disallow
        http.decompression = .disabled
        http.timeout = .init(connect: Self.timeAmount(configuration.requestTimeout))
        // A refused connection fails the request at once; the plugin counts its own attempts.
        http.connectionPool.retryConnectionEstablishment = false
        httpConfiguration = http
    }

    /// Calls `tool` with `arguments` before `deadline`; initialises a session when there is none,
    /// and once more when the server lost it.
    func callTool(_ tool: String, _ arguments: [String: Any], deadline: ContinuousClock.Instant) async throws(MCPFailure) -> MCPReply.ToolResult {
        let params: [String: Any] = ["name": tool, "arguments": arguments]
        let current = try await currentSession(deadline: deadline)
        do {
            return try MCPReply.toolResult(try await request("tools/call", params, session: current, deadline: deadline, label: tool), tool: tool)
        } catch .sessionLost(let why) {
            context.metric(.counter, "session_buddy_session_renewals_total", value: 1)
            context.log(.warning, "session-buddy: the server at \(url) lost MCP session \(current.id) (\(why)); initialising a new one")
            session.withLock { if $0?.id == current.id { $0 = nil } }
            let renewed = try await currentSession(deadline: deadline)
            return try MCPReply.toolResult(try await request("tools/call", params, session: renewed, deadline: deadline, label: tool), tool: tool)
        }
    }

    /// `GET` of session-buddy's health route (no MCP session); the status and body.
    func probeHealth() async throws(MCPFailure) -> (status: Int, body: [UInt8]) {
        let deadline = ContinuousClock.now + configuration.healthTimeout
        var request = HTTPClientRequest(url: configuration.healthURL)
        request.method = .GET
        // One attempt: health answers whether session-buddy is up now; a retry's back-off would
        // only delay the host's load and its failover to the local memory.
        let (response, body, _) = try await send(request, deadline: deadline, label: "health", attempts: 1)
        return (Int(response.status.code), body)
    }

    /// Deletes the session (if any) and stops the HTTP client and its thread; later calls fail
    /// with ``MCPFailure/stopped``.
    func shutdown() async {
        let previous = state.withLock { state in
            defer { state = .stopped }
            return state
        }
        guard case .running(let group, let client) = previous else { return }
        if let current = session.withLock({ $0 }) {
            var request = HTTPClientRequest(url: url)
            request.method = .DELETE
            request.headers.add(name: "Mcp-Session-Id", value: current.id)
            request.headers.add(name: "MCP-Protocol-Version", value: current.version)
            if let response = try? await client.execute(request, timeout: .seconds(1)) {
                _ = try? await response.body.collect(upTo: 64 << 10)
                context.log(.info, "session-buddy: deleted MCP session \(current.id) at \(url) (HTTP \(response.status.code))")
            }
        }
        try? await client.shutdown()
        try? await group.shutdownGracefully()
    }

    // MARK: - The protocol

    private func currentSession(deadline: ContinuousClock.Instant) async throws(MCPFailure) -> (id: String, version: String) {
        if let current = session.withLock({ $0 }) { return current }
        let params: [String: Any] = [
            "protocolVersion": Self.protocolVersion, "capabilities": [String: Any](),
            "clientInfo": ["name": "caphost-session-buddy", "version": SessionBuddyPlugin.manifest.version],
        ]
        let id = nextID.add(1, ordering: .relaxed).oldValue
        let (response, body, _) = try await send(post(["jsonrpc": "2.0", "id": id, "method": "initialize", "params": params], session: nil),
                                                 deadline: deadline, label: "initialize")
        try Self.check(response, body, method: "initialize", session: nil)
        guard let sessionID = response.headers.first(name: "mcp-session-id"), !sessionID.isEmpty else {
            throw .malformed("initialize: the answer has no mcp-session-id header")
        }
        let reply = try MCPReply.message(from: body, contentType: response.headers.first(name: "content-type") ?? "", id: id)
        guard let result = reply["result"] as? [String: Any] else {
            throw .malformed("initialize: no result in \(MCPFailure.quote(body))")
        }
        let current = (id: sessionID, version: result["protocolVersion"] as? String ?? Self.protocolVersion)
        let (notified, notifiedBody, _) = try await send(post(["jsonrpc": "2.0", "method": "notifications/initialized"], session: current),
                                                         deadline: deadline, label: "notifications/initialized")
        try Self.check(notified, notifiedBody, method: "notifications/initialized", session: current.id)
        session.withLock { $0 = current }
        context.metric(.counter, "session_buddy_sessions_total", value: 1)
        context.log(.info, "session-buddy: MCP session \(sessionID) at \(url) (protocol \(current.version), \(String(describing: (result["serverInfo"] as? [String: Any])?["version"] ?? "unknown")) server)")
        return current
    }

    private func request(_ method: String, _ params: [String: Any], session current: (id: String, version: String),
                         deadline: ContinuousClock.Instant, label: String) async throws(MCPFailure) -> [String: Any] {
        let id = nextID.add(1, ordering: .relaxed).oldValue
        let (response, body, _) = try await send(post(["jsonrpc": "2.0", "id": id, "method": method, "params": params], session: current),
                                                 deadline: deadline, label: label)
        try Self.check(response, body, method: method, session: current.id)
        return try MCPReply.message(from: body, contentType: response.headers.first(name: "content-type") ?? "", id: id)
    }

    private func post(_ message: [String: Any], session current: (id: String, version: String)?) -> HTTPClientRequest {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "Accept", value: "application/json, text/event-stream")
        if let current {
            request.headers.add(name: "Mcp-Session-Id", value: current.id)
            request.headers.add(name: "MCP-Protocol-Version", value: current.version)
        }
        let bytes = (try? JSONSerialization.data(withJSONObject: message, options: [.sortedKeys])) ?? Data()
        request.body = .bytes(ByteBuffer(bytes: bytes))
        return request
    }

    /// The status check of one answer: `.sessionLost` for a session the server no longer knows.
    private static func check(_ response: HTTPClientResponse, _ body: [UInt8], method: String, session: String?) throws(MCPFailure) {
        let code = Int(response.status.code)
        if session != nil, code == 404 || (code == 400 && String(decoding: body, as: UTF8.self).lowercased().contains("session")) {
            throw .sessionLost("\(method): HTTP \(code) \(MCPFailure.quote(body))")
        }
        switch code {
        case 200..<300: return
        case 500...: throw .unreachable("\(method): HTTP \(code) \(MCPFailure.quote(body))", requestSent: true)
        default: throw .rejected("\(method): HTTP \(code) \(MCPFailure.quote(body))")
        }
    }

    /// One HTTP exchange with bounded retries of connections that failed before the request
    /// went out; records the metrics of every attempt.
    private func send(_ request: HTTPClientRequest, deadline: ContinuousClock.Instant, label: String,
                      attempts: Int? = nil) async throws(MCPFailure) -> (HTTPClientResponse, [UInt8], Duration) {
        let maxAttempts = attempts ?? configuration.maxAttempts
        var lastFailure = MCPFailure.unreachable("no attempt was made", requestSent: false)
        for attempt in 1...maxAttempts {
            let remaining = deadline - ContinuousClock.now
            guard remaining > .zero else {
                if attempt == 1 { throw .deadline("\(label): the call's deadline passed before the request was sent") }
                throw lastFailure
            }
            let timeout = min(configuration.requestTimeout, remaining)
            let started = ContinuousClock.now
            do {
                let client = try client()
                let response = try await client.execute(request, timeout: Self.timeAmount(timeout))
                let body = try await response.body.collect(upTo: 16 << 20)
                record(label, outcome: String(response.status.code), since: started)
                return (response, Array(body.readableBytesView), ContinuousClock.now - started)
            } catch let failure as MCPFailure {
                throw failure
            } catch {
                let (failure, sentNothing) = Self.classify(error, label: label, timeout: timeout, deadlineBound: timeout < configuration.requestTimeout)
                record(label, outcome: failure.outcome, since: started)
                lastFailure = failure
                guard sentNothing, attempt < maxAttempts else { throw failure }
                context.metric(.counter, "session_buddy_retries_total", labels: ["request": label], value: 1)
                context.log(.warning, "session-buddy: \(label) attempt \(attempt) of \(maxAttempts) to \(url) failed before it was sent (\(error)); retrying")
                if deadline - ContinuousClock.now <= configuration.retryBackoff { throw failure }
                try? await Task.sleep(for: configuration.retryBackoff)
            }
        }
        throw lastFailure
    }

    /// The failure for a transport error, and whether nothing reached the server (safe to retry).
    private static func classify(_ error: any Error, label: String, timeout: Duration,
                                 deadlineBound: Bool) -> (MCPFailure, sentNothing: Bool) {
        if let http = error as? HTTPClientError {
            switch http {
            case .connectTimeout:
                return (.unreachable("\(label): could not connect within \(seconds(timeout)) s", requestSent: false), true)
            case .deadlineExceeded, .readTimeout, .writeTimeout:
                let why = "\(label): no answer within \(seconds(timeout)) s"
                return (deadlineBound ? .deadline(why) : .unreachable(why, requestSent: true), false)
            case .remoteConnectionClosed:
                return (.unreachable("\(label): the server closed the connection", requestSent: true), false)
            default: break
            }
        }
        if error is NIOConnectionError || (error as? IOError)?.errnoCode == ECONNREFUSED
            || "\(error)".contains("connectionRefused") || "\(error)".contains("Connection refused") {
            return (.unreachable("\(label): connection refused (\(error))", requestSent: false), true)
        }
        if error is CancellationError {
            return (.deadline("\(label): cancelled (the call's deadline passed)"), false)
        }
        return (.unreachable("\(label): \(error)", requestSent: true), false)
    }

    private func client() throws(MCPFailure) -> HTTPClient {
        let (client, isNew) = state.withLock { state -> (HTTPClient?, Bool) in
            switch state {
            case .running(_, let client): return (client, false)
            case .stopped: return (nil, false)
            case .idle:
                let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
                let client = HTTPClient(eventLoopGroupProvider: .shared(group), configuration: httpConfiguration)
                state = .running(group, client)
                return (client, true)
            }
        }
        guard let client else { throw .stopped }
        if isNew { context.log(.info, "session-buddy: HTTP client started (one event loop thread) for \(url)") }
        return client
    }

    private func record(_ label: String, outcome: String, since started: ContinuousClock.Instant) {
        context.metric(.counter, "session_buddy_requests_total", labels: ["request": label, "outcome": outcome], value: 1)
        context.metric(.histogram, "session_buddy_request_duration_seconds", labels: ["request": label],
                       value: Self.seconds(ContinuousClock.now - started))
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    private static func timeAmount(_ duration: Duration) -> TimeAmount {
        .nanoseconds(duration.components.seconds * 1_000_000_000 + duration.components.attoseconds / 1_000_000_000)
    }
}
