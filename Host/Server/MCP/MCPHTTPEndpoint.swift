import CapHostCore
import Foundation
import Synchronization

/// MCP's streamable HTTP transport (revisions 2025-03-26 … 2025-11-25) as a
/// function from request to response, with no HTTP library: the HTTP server
/// routes `POST`, `GET` and `DELETE` of its MCP path here and writes back what
/// it gets.
///
/// - `POST` carries one JSON-RPC message (or a batch, on 2025-03-26
///   sessions). `initialize` always opens a new session and the response
///   carries its `Mcp-Session-Id` (a failed initialize opens none); every
///   later request must send that header (missing: 400, unknown, ended or
///   idle past `sessionIdleTimeout`: 404). Requests are answered with
///   `application/json`, or with a one-event `text/event-stream` when the
///   client accepts only that (or `preferEventStream` is set and it accepts
///   both); notifications and responses alone get 202 and no body.
/// - `GET` (`Accept: text/event-stream`) opens the session's stream of server
///   messages (`notifications/tools/list_changed`), resumable with
///   `Last-Event-ID`; one stream per session, a new GET replaces the old one.
/// - `DELETE` ends the session (204).
/// - An `Origin` that is not loopback (or configured) gets 403, against DNS
///   rebinding; an unsupported `MCP-Protocol-Version` gets 400.
public final class MCPHTTPEndpoint: Sendable {
    /// Transport settings.
    public struct Options: Sendable {
        /// Answer requests as SSE when the client accepts both JSON and SSE.
        public var preferEventStream = false
        /// A session unused this long is ended.
        public var sessionIdleTimeout: Duration = .seconds(3600)
        /// At most this many open HTTP sessions; the longest idle is ended to make room.
        public var maximumSessions = 512
        /// A `: keep-alive` comment on open GET streams this often.
        public var keepAliveInterval: Duration = .seconds(15)
        /// Browser origins accepted besides loopback ones (`http://127.0.0.1:7070`, `http://localhost:…`).
        public var allowedOrigins: Set<String> = []
        /// Largest POST body accepted (the HTTP server may refuse earlier).
        public var maximumBodyBytes = 32 * 1024 * 1024

        /// The defaults above.
        public init() {}
    }

    public let server: MCPServer
    public let options: Options
    let sessions = Mutex<[String: MCPSession]>([:])

    /// An endpoint serving `server` (start the server to have `list_changed` reach GET streams).
    public init(server: MCPServer, options: Options = Options()) {
        self.server = server
        self.options = options
    }

    /// Answers one HTTP request to the MCP endpoint.
    public func handle(_ request: MCPHTTPRequest) async -> MCPHTTPResponse {
        if let origin = request.origin, !isAllowed(origin: origin) {
            return Self.failure(403, .invalidRequest("origin '\(origin)' is not allowed to use this MCP endpoint (loopback origins and configured ones are)"))
        }
        switch request.method.uppercased() {
        case "POST": return await post(request)
        case "GET": return openStream(request)
        case "DELETE": return delete(request)
        default:
            var response = Self.failure(405, .invalidRequest("HTTP method \(request.method) is not used by MCP; use POST, GET or DELETE"))
            response.headers.append(("Allow", "GET, POST, DELETE"))
            return response
        }
    }

    /// Ends every HTTP session (their GET streams finish): for server shutdown.
    public func closeAllSessions() {
        let open = sessions.withLock { sessions in
            defer { sessions.removeAll() }
            return Array(sessions.values)
        }
        for session in open { session.close() }
    }

    /// Open HTTP sessions now.
    public var sessionCount: Int { sessions.withLock { $0.count } }

    // MARK: - POST

    private func post(_ request: MCPHTTPRequest) async -> MCPHTTPResponse {
        guard Self.mediaType(of: request.contentType) == "application/json" else {
            return Self.failure(415, .invalidRequest("Content-Type must be application/json, found \(request.contentType.map { "'\($0)'" } ?? "none")"))
        }
        let accepts = Self.acceptance(of: request.accept)
        guard accepts.json || accepts.eventStream else {
            return Self.failure(406, .invalidRequest("Accept must include application/json or text/event-stream, found '\(request.accept ?? "")'"))
        }
        guard request.body.count <= options.maximumBodyBytes else {
            return Self.failure(413, .invalidRequest("the body of \(request.body.count) bytes exceeds the limit of \(options.maximumBodyBytes) bytes"))
        }
        let document: JSONValue
        do {
            document = try JSONValue(parsing: request.body)
        } catch {
            return Self.failure(400, .parseError(error))
        }
        let session: MCPSession
        var headers: [(name: String, value: String)] = []
        if case .object(let members) = document, members["method"] == .string("initialize"), members["id"] != nil {
            session = openSession()
            headers.append(("Mcp-Session-Id", session.id))
        } else {
            switch existingSession(for: request) {
            case .success(let found): session = found
            case .failure(let refusal): return refusal.response
            }
        }
        let reply = await session.reply(to: document)
        if headers.isEmpty == false, session.protocolVersion == nil {
            // initialize failed: no session was established.
            sessions.withLock { _ = $0.removeValue(forKey: session.id) }
            session.close()
            headers.removeAll()
        }
        guard let reply else { return MCPHTTPResponse(status: 202, headers: headers) }
        let bytes = reply.serialized()
        if accepts.eventStream && (!accepts.json || options.preferEventStream) {
            headers.append(("Content-Type", "text/event-stream"))
            headers.append(("Cache-Control", "no-cache"))
            return MCPHTTPResponse(status: 200, headers: headers, body: .complete(ServerSentEventFrame(data: bytes).encoded))
        }
        headers.append(("Content-Type", "application/json"))
        return MCPHTTPResponse(status: 200, headers: headers, body: .complete(bytes))
    }

    // MARK: - DELETE

    private func delete(_ request: MCPHTTPRequest) -> MCPHTTPResponse {
        switch existingSession(for: request) {
        case .failure(let refusal):
            return refusal.response
        case .success(let session):
            sessions.withLock { _ = $0.removeValue(forKey: session.id) }
            session.close()
            server.logger.info("MCP session \(session.id) ended by the client")
            return MCPHTTPResponse(status: 204)
        }
    }

    // MARK: - Sessions

    /// Why a request cannot go to a session, as the response to send.
    struct SessionRefusal: Error {
        let response: MCPHTTPResponse
    }

    func existingSession(for request: MCPHTTPRequest) -> Result<MCPSession, SessionRefusal> {
        guard let id = request.sessionID, !id.isEmpty else {
            return .failure(SessionRefusal(response: Self.failure(400,
                .invalidRequest("the Mcp-Session-Id header is required: send initialize first and use the session id it returns"))))
        }
        let now = ContinuousClock.now
        let (found, expired) = sessions.withLock { sessions -> (MCPSession?, MCPSession?) in
            guard let session = sessions[id] else { return (nil, nil) }
            if session.isClosed || now - session.lastActivity > options.sessionIdleTimeout {
                sessions[id] = nil
                return (nil, session)
            }
            return (session, nil)
        }
        expired?.close()
        guard let found else {
            return .failure(SessionRefusal(response: Self.failure(404,
                .invalidRequest("session '\(id)' does not exist (it ended, expired or never began): initialize a new one"))))
        }
        if let version = request.protocolVersion, !MCPProtocolVersion.supported.contains(version) {
            return .failure(SessionRefusal(response: Self.failure(400,
                .invalidRequest("unsupported MCP-Protocol-Version '\(version)' (supported: \(MCPProtocolVersion.supported.joined(separator: ", ")))"))))
        }
        return .success(found)
    }

    private func openSession() -> MCPSession {
        let now = ContinuousClock.now
        let (session, evicted) = sessions.withLock { sessions -> (MCPSession, [MCPSession]) in
            var evicted = sessions.values.filter { $0.isClosed || now - $0.lastActivity > options.sessionIdleTimeout }
            for session in evicted { sessions[session.id] = nil }
            if sessions.count >= options.maximumSessions,
               let oldest = sessions.values.min(by: { $0.lastActivity < $1.lastActivity }) {
                sessions[oldest.id] = nil
                evicted.append(oldest)
            }
            let session = server.openSession()
            sessions[session.id] = session
            return (session, evicted)
        }
        for old in evicted { old.close() }
        return session
    }

    // MARK: - Helpers

    private func isAllowed(origin: String) -> Bool {
        if options.allowedOrigins.contains(origin) { return true }
        for scheme in ["http://", "https://"] where origin.hasPrefix(scheme) {
            let rest = origin.dropFirst(scheme.count)
            let host: Substring
            if rest.hasPrefix("[") {
                host = rest.prefix { $0 != "]" } + "]"
            } else {
                host = rest.prefix { $0 != ":" && $0 != "/" }
            }
            return ["127.0.0.1", "localhost", "[::1]"].contains(String(host))
        }
        return false
    }

    /// `application/json` from `application/json; charset=utf-8`.
    static func mediaType(of header: String?) -> String? {
        header?.split(separator: ";").first?.trimmingCharacters(in: .whitespaces).lowercased()
    }

    /// What an `Accept` header admits (none or `*/*` admits JSON).
    static func acceptance(of header: String?) -> (json: Bool, eventStream: Bool) {
        guard let header, !header.trimmingCharacters(in: .whitespaces).isEmpty else { return (true, false) }
        let types = header.split(separator: ",").compactMap { mediaType(of: String($0)) }
        let json = types.contains { $0 == "application/json" || $0 == "application/*" || $0 == "*/*" }
        let eventStream = types.contains { $0 == "text/event-stream" || $0 == "text/*" }
        return (json, eventStream)
    }

    /// A transport-level refusal: the JSON-RPC error as an `application/json` body.
    static func failure(_ status: Int, _ error: JSONRPCError) -> MCPHTTPResponse {
        MCPHTTPResponse(status: status, headers: [("Content-Type", "application/json")],
                        body: .complete(JSONRPCReply.error(id: .null, error).serialized()))
    }
}
