import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A local Mailgun (`Tests/Peers/mailgun_server.py`) on 127.0.0.1 with an ephemeral port: the
/// Messages and Domains API with Basic auth, multipart and urlencoded parsing, a request log and
/// a control API that makes it answer 429/5xx/4xx, hold a response or drop the connection.
///
/// Stopping: prefer ``withPeer(domain:apiKey:extraDomains:_:)``, which stops the peer whether the
/// body returns or throws. A peer started with ``start(domain:apiKey:extraDomains:)`` is stopped
/// by ``stop()``, by `deinit` when the last reference goes (also when a test fails half-way and
/// unwinds), and, should the test process itself die, by the peer: it exits when its stdin (a
/// pipe this object holds open) closes. `@unchecked Sendable`: every stored property is
/// immutable, and `Process` and `Pipe` are only asked thread-safe things (isRunning, close).
public final class MailgunPeer: @unchecked Sendable {
    /// One request the peer received, as its log records it.
    public struct Request: Decodable, Sendable, CustomStringConvertible {
        /// `POST` or `GET`.
        public let method: String
        /// E.g. `/v3/example.com/messages`.
        public let path: String
        /// The Basic auth user name, or nil without (valid) Basic auth.
        public let authUser: String?
        /// Whether the credentials were `api` and the peer's key.
        public let authOK: Bool
        /// The `Content-Type` header as sent.
        public let contentType: String
        /// The body length in bytes.
        public let bodySize: Int
        /// The `User-Agent` header.
        public let userAgent: String
        /// Form fields in the order sent, as (name, value).
        public let fields: [Field]
        /// File parts in the order sent.
        public let files: [FilePart]
        /// The status the peer answered; 0 for a dropped connection; nil while it is answering.
        public let status: Int?
        /// Why the body could not be parsed, if it could not.
        public let error: String?

        /// The values of every field named `name`, in order.
        public func values(_ name: String) -> [String] { fields.filter { $0.name == name }.map(\.value) }

        /// The media type of ``contentType`` without parameters, lower-cased.
        public var mediaType: String {
            contentType.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
        }

        /// `POST /v3/example.com/messages → 200`.
        public var description: String { "\(method) \(path) → \(status.map(String.init) ?? "…")" }

        enum CodingKeys: String, CodingKey {
            case method, path, fields, files, status, error
            case authUser = "auth_user", authOK = "auth_ok", contentType = "content_type"
            case bodySize = "body_size", userAgent = "user_agent"
        }
    }

    /// A form field: one `[name, value]` of the peer's log.
    public struct Field: Decodable, Sendable, Hashable {
        /// The form field name, e.g. `to` or `v:user_id`.
        public let name: String
        /// The value as the peer decoded it (UTF-8).
        public let value: String

        /// Reads `[name, value]`.
        public init(from decoder: any Decoder) throws {
            var container = try decoder.unkeyedContainer()
            name = try container.decode(String.self)
            value = try container.decode(String.self)
        }
    }

    /// A file part: `[name, filename, content_type, sha256, size]` of the peer's log.
    public struct FilePart: Decodable, Sendable, Hashable {
        /// The form field name: `attachment` or `inline`.
        public let name: String
        /// The filename exactly as sent between the quotes (no percent-decoding).
        public let filename: String
        /// The part's `Content-Type` (`application/octet-stream` when it had none).
        public let contentType: String
        /// SHA-256 of the content, lower-case hex.
        public let sha256: String
        /// The content length in bytes.
        public let size: Int

        /// Reads `[name, filename, content_type, sha256, size]`.
        public init(from decoder: any Decoder) throws {
            var container = try decoder.unkeyedContainer()
            name = try container.decode(String.self)
            filename = try container.decode(String.self)
            contentType = try container.decode(String.self)
            sha256 = try container.decode(String.self)
            size = try container.decode(Int.self)
        }
    }

    /// Which API a behaviour applies to.
    public enum Endpoint: String, Sendable {
        /// `POST /v3/{domain}/messages`.
        case messages
        /// `GET /v3/domains/{domain}` (what a health check reads).
        case domains
    }

    /// The port on 127.0.0.1.
    public let port: Int
    /// The domain the peer was started for (it also knows any `extraDomains`).
    public let domain: String
    private let process: Process
    private let stdinPipe: Pipe

    private init(port: Int, domain: String, process: Process, stdinPipe: Pipe) {
        self.port = port
        self.domain = domain
        self.process = process
        self.stdinPipe = stdinPipe
    }

    deinit { stop() }

    /// `http://127.0.0.1:PORT`: what the plugin's `base_url` and the SDK's `api_url` take.
    public var baseURL: String { "http://127.0.0.1:\(port)" }

    /// Starts a peer that accepts `api:apiKey` for `domain` (and `extraDomains`); every other
    /// domain is 404. Fails with the peer's own output when it does not start within 30 s.
    public static func start(domain: String, apiKey: String, extraDomains: [String] = []) async throws -> MailgunPeer {
        let launch = try await PythonPeerLaunch.start(
            "mailgun_server.py", ([domain] + extraDomains).flatMap { ["--domain", $0] },
            environment: ["MAILGUN_PEER_API_KEY": apiKey], expecting: "{\"port\": N}"
        ) { PeerAnnouncement.ports(["port"], of: $0)?.first }
        return MailgunPeer(port: launch.announcement, domain: domain, process: launch.process, stdinPipe: launch.stdinPipe)
    }

    /// Starts a peer, runs `body` with it and stops it, whether `body` returns or throws.
    public static func withPeer<Result>(domain: String, apiKey: String, extraDomains: [String] = [],
                                        _ body: (MailgunPeer) async throws -> Result) async throws -> Result {
        let peer = try await start(domain: domain, apiKey: apiKey, extraDomains: extraDomains)
        defer { peer.stop() }
        return try await body(peer)
    }

    /// Makes the next `count` requests to `endpoint` (all of them while `count` is nil) answer
    /// `status` after holding the response `delay` seconds; `status` 0 reads the request and
    /// closes the connection without an answer; `retryAfter` becomes the `Retry-After` header.
    /// `status` nil restores normal service.
    public func setBehaviour(status: Int?, count: Int? = nil, retryAfter: String? = nil, delay: Double? = nil,
                             endpoint: Endpoint = .messages) async throws {
        var document: [String: Any] = ["status": status ?? NSNull(), "count": count ?? NSNull(),
                                       "endpoint": endpoint.rawValue]
        if let retryAfter { document["retry_after"] = retryAfter }
        if let delay { document["delay"] = delay }
        _ = try await control("POST", "/_control/behaviour", body: try JSONSerialization.data(withJSONObject: document))
    }

    /// Forgets the recorded requests and every behaviour.
    public func reset() async throws {
        _ = try await control("POST", "/_control/reset", body: Data("{}".utf8))
    }

    /// Every request received since the start (or the last ``reset()``), oldest first.
    public func requests() async throws -> [Request] {
        try JSONDecoder().decode([Request].self, from: try await control("GET", "/_control/requests", body: nil))
    }

    /// The requests to the Messages API only.
    public func messageRequests() async throws -> [Request] {
        try await requests().filter { $0.path.hasSuffix("/messages") }
    }

    /// Stops the peer now (SIGKILL, and its stdin closes). Safe to call more than once.
    public func stop() {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        try? stdinPipe.fileHandleForWriting.close()
    }

    // MARK: - Control requests

    private func control(_ method: String, _ path: String, body: Data?) async throws -> Data {
        try await PeerControlRequest.send(port: port, peer: "mailgun peer", method, path, body: body)
    }
}
