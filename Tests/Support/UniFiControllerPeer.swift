import Crypto
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A local UniFi Network controller (`Tests/Peers/unifi_controller.py`) on 127.0.0.1: HTTPS with a
/// test certificate on ``port``, serving real captured payloads (`Tests/Fixtures/unifi`) as a
/// classic controller, a UniFi OS console (TOKEN cookie + rotating CSRF) or the Integration API
/// (`X-API-KEY`), and a plain-HTTP control API on ``controlPort`` that changes a site's data,
/// makes requests answer 429/5xx/malformed bodies or hang, expires sessions and rotates CSRF.
///
/// Stopping: prefer ``withPeer(kind:certificate:username:password:apiKey:sites:_:)``, which stops
/// the peer whether the body returns or throws. A peer started with ``start(kind:certificate:username:password:apiKey:sites:)``
/// is stopped by ``stop()``, by `deinit`, and, should the test process die, by the peer itself:
/// it exits when its stdin (a pipe this object holds open) closes. `@unchecked Sendable`: every
/// stored property is immutable, and `Process` and `Pipe` are only asked thread-safe things.
public final class UniFiControllerPeer: @unchecked Sendable {
    /// Which UniFi API the peer speaks.
    public enum Kind: String, Sendable, CaseIterable {
        /// A self-hosted Network application: `GET /` redirects, `POST /api/login`, cookie `unifises`.
        case classic
        /// A UniFi OS console: `GET /` is 200, `POST /api/auth/login`, cookie `TOKEN` + `X-CSRF-Token`,
        /// data under `/proxy/network`.
        case unifiOS = "unifi-os"
        /// A console's Integration API: `X-API-KEY` on `/proxy/network/integration/v1/...`.
        case integration
    }

    /// One request the peer received on its TLS port, as its log records it.
    public struct Request: Decodable, Sendable, CustomStringConvertible {
        /// `GET`, `POST`, …
        public let method: String
        /// The request target with its query, e.g. `/api/s/default/stat/health`.
        public let path: String
        /// The status answered; 0 for a dropped connection; nil while it is still answering.
        public let status: Int?
        /// Whether a session cookie (`unifises` or `TOKEN`) was sent, valid or not.
        public let cookie: Bool
        /// The `X-CSRF-Token` header sent, if any.
        public let csrf: String?
        /// Nil without an `X-API-KEY` header, else whether it matched the peer's key.
        public let apiKeyOK: Bool?

        /// `GET /api/s/default/stat/health → 200`.
        public var description: String { "\(method) \(path) → \(status.map(String.init) ?? "…")" }

        enum CodingKeys: String, CodingKey {
            case method, path, status, cookie, csrf
            case apiKeyOK = "api_key_ok"
        }
    }

    /// The Integration API's ids: site name → site UUID, device MAC (lower case) → device UUID.
    public struct IntegrationIDs: Decodable, Sendable {
        public let sites: [String: String]
        public let devices: [String: String]
    }

    /// The MAC addresses of the fixture's three devices (every site has all three).
    public enum FixtureDevice {
        /// The USG gateway (`type` `ugw`, with `uplink`, `wan1` and `wan2`).
        public static let gateway = "78:8a:20:33:44:55"
        /// The access point (`uap`, U7PG2).
        public static let accessPoint = "80:2a:a8:00:01:02"
        /// The switch (`usw`, US16P150).
        public static let `switch` = "fc:ec:da:11:22:33"
    }

    /// The API the peer speaks.
    public let kind: Kind
    /// The HTTPS port on 127.0.0.1.
    public let port: Int
    /// The plain-HTTP control port on 127.0.0.1.
    public let controlPort: Int
    /// The user name the peer accepts (classic, UniFi OS).
    public let username: String
    /// The password the peer accepts (classic, UniFi OS).
    public let password: String
    /// The API key the peer accepts (Integration API).
    public let apiKey: String
    /// The site names, in the order `/api/self/sites` lists them.
    public let sites: [String]
    /// The certificate the peer presents (its SHA-256 is what a client pins).
    public let certificate: SelfSignedCertificate
    private let process: Process
    private let stdinPipe: Pipe

    private init(kind: Kind, port: Int, controlPort: Int, username: String, password: String, apiKey: String,
                 sites: [String], certificate: SelfSignedCertificate, process: Process, stdinPipe: Pipe) {
        self.kind = kind
        self.port = port
        self.controlPort = controlPort
        self.username = username
        self.password = password
        self.apiKey = apiKey
        self.sites = sites
        self.certificate = certificate
        self.process = process
        self.stdinPipe = stdinPipe
    }

    deinit { stop() }

    /// `https://127.0.0.1:PORT`: the controller URL a client is configured with.
    public var baseURL: String { "https://127.0.0.1:\(port)" }

    /// Starts a peer of `kind` presenting `certificate` (whose SAN holds 127.0.0.1) with `sites`
    /// (each its own copy of the fixture data). Fails with the peer's own output when it does
    /// not start within 30 s.
    public static func start(kind: Kind, certificate: SelfSignedCertificate, username: String = "admin",
                             password: String = "unifi-peer-password", apiKey: String = "unifi-peer-api-key",
                             sites: [String] = ["default"]) async throws -> UniFiControllerPeer {
        let launch = try await PythonPeerLaunch.start(
            "unifi_controller.py",
            ["--kind", kind.rawValue, "--cert", certificate.certificatePath, "--key", certificate.keyPath] + sites.flatMap { ["--site", $0] },
            environment: ["UNIFI_PEER_USERNAME": username, "UNIFI_PEER_PASSWORD": password, "UNIFI_PEER_API_KEY": apiKey],
            expecting: "{\"port\": N, \"control_port\": M}"
        ) { PeerAnnouncement.ports(["port", "control_port"], of: $0) }
        return UniFiControllerPeer(kind: kind, port: launch.announcement[0], controlPort: launch.announcement[1], username: username,
                                   password: password, apiKey: apiKey, sites: sites, certificate: certificate,
                                   process: launch.process, stdinPipe: launch.stdinPipe)
    }

    /// Starts a peer, runs `body` with it and stops it, whether `body` returns or throws.
    public static func withPeer<Result>(kind: Kind, certificate: SelfSignedCertificate, username: String = "admin",
                                        password: String = "unifi-peer-password", apiKey: String = "unifi-peer-api-key",
                                        sites: [String] = ["default"],
                                        _ body: (UniFiControllerPeer) async throws -> Result) async throws -> Result {
        let peer = try await start(kind: kind, certificate: certificate, username: username, password: password,
                                   apiKey: apiKey, sites: sites)
        defer { peer.stop() }
        return try await body(peer)
    }

    // MARK: - Control

    /// Deep-merges into `site`'s data: `health[subsystem]` into that `stat/health` record (e.g.
    /// `["www": ["latency": 250]]`), `gateway` into the `ugw` device (e.g.
    /// `["wan1": ["up": false], "uplink": ["latency": 40]]`), `devices[mac]` into that device (e.g.
    /// `[FixtureDevice.accessPoint: ["state": 0]]`). An `NSNull()` value removes the key (e.g.
    /// `["wan2": NSNull()]` for a gateway with one WAN). `lastSeenAge` makes every device's
    /// `last_seen` that many seconds old (0: fresh again); nil leaves it as it is.
    public func setSite(_ site: String = "default", health: [String: Any]? = nil, gateway: [String: Any]? = nil,
                        devices: [String: [String: Any]]? = nil, lastSeenAge: Int? = nil) async throws {
        var document: [String: Any] = ["site": site]
        if let health { document["health"] = health }
        if let gateway { document["gateway"] = gateway }
        if let devices { document["devices"] = devices }
        if let lastSeenAge { document["last_seen_age"] = lastSeenAge }
        try await post("/_control/site", document)
    }

    /// Makes the next `count` requests whose path (with query) contains `pathContains` (all of
    /// them while `count` is nil) wait `delay` seconds, then answer `status` with `body` (raw
    /// text, e.g. `"{not json"`; nil: an error envelope in the path's dialect) and `Retry-After:
    /// retryAfter`. `status` nil, or 200 without `body`, only delays and then serves normally;
    /// `status` 0 closes the connection without an answer. Behaviours stack; the first match wins.
    public func setBehaviour(pathContains: String, status: Int?, count: Int? = nil, retryAfter: String? = nil,
                             delay: Double? = nil, body: String? = nil) async throws {
        try await post("/_control/behaviour", [
            "path_contains": pathContains, "status": status ?? NSNull(), "count": count ?? NSNull(),
            "retry_after": retryAfter ?? NSNull(), "delay": delay ?? NSNull(), "body": body ?? NSNull(),
        ])
    }

    /// Removes every behaviour.
    public func clearBehaviours() async throws {
        try await post("/_control/behaviour", ["clear": true])
    }

    /// Invalidates every session issued so far: the next data request answers 401 LoginRequired.
    public func expireSessions() async throws {
        try await post("/_control/expire_sessions", [:])
    }

    /// (UniFi OS) The next successful `/proxy/network` answer of every session carries
    /// `X-Updated-CSRF-Token: <new>`; from then on only the new token is accepted (403 otherwise).
    public func rotateCSRF() async throws {
        try await post("/_control/rotate_csrf", [:])
    }

    /// Every request on the TLS port since the start (or the last ``reset()``), oldest first.
    public func requests() async throws -> [Request] {
        try JSONDecoder().decode([Request].self, from: try await control("GET", "/_control/requests", body: nil))
    }

    /// The Integration API's site and device UUIDs (deterministic: uuid5 of the name / MAC).
    public func integrationIDs() async throws -> IntegrationIDs {
        try JSONDecoder().decode(IntegrationIDs.self, from: try await control("GET", "/_control/ids", body: nil))
    }

    /// Forgets the request log, every behaviour and every ``setSite(_:health:gateway:devices:lastSeenAge:)``
    /// change (sessions stay valid).
    public func reset() async throws {
        try await post("/_control/reset", [:])
    }

    /// Stops the peer now (SIGKILL, and its stdin closes). Safe to call more than once.
    public func stop() {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        try? stdinPipe.fileHandleForWriting.close()
    }

    /// The lower-case hex SHA-256 of the certificate's DER: what a client pins (`openssl x509
    /// -outform der | sha256sum`). Reads the first PEM `CERTIFICATE` block of the file.
    public static func certificateSHA256(_ certificate: SelfSignedCertificate) throws -> String {
        let pem = try String(contentsOfFile: certificate.certificatePath, encoding: .utf8)
        guard let begin = pem.range(of: "-----BEGIN CERTIFICATE-----"),
              let end = pem.range(of: "-----END CERTIFICATE-----", range: begin.upperBound..<pem.endIndex) else {
            throw FixtureError("\(certificate.certificatePath) holds no PEM CERTIFICATE block")
        }
        let base64 = pem[begin.upperBound..<end.lowerBound].filter { !$0.isWhitespace }
        guard let der = Data(base64Encoded: String(base64)) else {
            throw FixtureError("\(certificate.certificatePath): the CERTIFICATE block is not valid base64")
        }
        return SHA256.hash(data: der).map { String(format: "%02x", $0) }.joined()
    }

    // MARK: - Control requests

    private func post(_ path: String, _ document: [String: Any]) async throws {
        let body = try JSONSerialization.data(withJSONObject: document)
        _ = try await control("POST", path, body: body)
    }

    private func control(_ method: String, _ path: String, body: Data?) async throws -> Data {
        try await PeerControlRequest.send(port: controlPort, peer: "unifi peer control", method, path, body: body)
    }
}
