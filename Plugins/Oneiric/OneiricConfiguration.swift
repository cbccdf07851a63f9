import Foundation
import OneiricWire
import PluginKit

/// The plugin's configuration (`plugins: liboneiric: {...}` in caphost.yaml, JSON by the time
/// the plugin sees it), validated once at `create`. Every refusal names the key, what it
/// expects and what it found; secrets (token, JWT secret) are never repeated.
struct OneiricConfiguration: Sendable {
    /// Which way the registry is reached.
    enum Transport: String, Sendable { case grpc, mcp }

    let transport: Transport
    let grpc: GRPCSettings?
    let mcp: MCPSettings?
    /// The limit of one remote call (each retry gets what is left of the caller's deadline).
    let callTimeout: Duration
    /// How long a remote answer is served from the cache; 0 turns the cache off.
    let cacheTTL: Duration
    /// How long an expired answer may still be served when the registry is down.
    let staleTTL: Duration
    /// Attempts per remote call, the first included (1...5).
    let maxAttempts: Int
    /// Consecutive failed calls that open the breaker.
    let breakerThreshold: Int
    /// How long an open breaker refuses before one trial call.
    let breakerCooldown: Duration
    /// The project this host announces itself as (also the local fallback's project).
    let project: String
    let announce: AnnounceSettings
    let healthFeed: HealthFeedSettings

    /// `grpc:`: the AdapterRegistry's address, package, TLS and credential.
    struct GRPCSettings: Sendable {
        let host: String
        let port: Int
        let package: String
        let tls: TLSFiles?
        let credential: Credential?

        var address: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
    }

    /// PEM files: the authority to trust (and the name to expect), and for mutual TLS the
    /// client certificate and key.
    struct TLSFiles: Sendable {
        let caFile: String?
        let serverName: String?
        let certFile: String?
        let keyFile: String?
    }

    /// The bearer credential sent as `authorization: Bearer …`.
    enum Credential: Sendable {
        case token(String)
        case jwt(secret: [UInt8], project: String, subject: String, lifetime: Duration)
    }

    /// `mcp:`: Oneiric's MCP endpoint.
    struct MCPSettings: Sendable {
        let url: String
        let token: String?
    }

    /// `announce:`: store the host's providers in the registry on every change.
    struct AnnounceSettings: Sendable {
        let enabled: Bool
        /// Also announce this plugin's own `adapter:registry:oneiric`.
        let includeSelf: Bool
        /// How often the graph is compared when the host cannot notify changes.
        let interval: Duration
    }

    /// `health_feed:`: feed the registry's health of providers this host serves into their ranking.
    struct HealthFeedSettings: Sendable {
        let enabled: Bool
        let interval: Duration
    }

    /// The JSON as written.
    struct Document: Decodable {
        struct GRPC: Decodable {
            var address: String?
            var package: String?
            var caFile: String?
            var serverName: String?
            var certFile: String?
            var keyFile: String?
            var token: String?
            var jwt: JWT?
            enum CodingKeys: String, CodingKey {
                case address, package, token, jwt
                case caFile = "ca_file", serverName = "server_name", certFile = "cert_file", keyFile = "key_file"
            }
        }
        struct JWT: Decodable {
            var secret: String?
            var project: String?
            var subject: String?
            var lifetime: Double?
        }
        struct MCP: Decodable {
            var url: String?
            var token: String?
        }
        struct Announce: Decodable {
            var enabled: Bool?
            var includeSelf: Bool?
            var interval: Double?
            enum CodingKeys: String, CodingKey { case enabled, interval, includeSelf = "include_self" }
        }
        struct HealthFeed: Decodable {
            var enabled: Bool?
            var interval: Double?
        }
        var transport: String?
        var grpc: GRPC?
        var mcp: MCP?
        var timeout: Double?
        var cacheTTL: Double?
        var staleTTL: Double?
        var maxAttempts: Int?
        var breakerThreshold: Int?
        var breakerCooldown: Double?
        var project: String?
        var announce: Announce?
        var healthFeed: HealthFeed?

        enum CodingKeys: String, CodingKey {
            case transport, grpc, mcp, timeout, project, announce
            case cacheTTL = "cache_ttl", staleTTL = "stale_ttl", maxAttempts = "max_attempts"
            case breakerThreshold = "breaker_threshold", breakerCooldown = "breaker_cooldown", healthFeed = "health_feed"
        }
    }

    init(_ document: Document) throws(PluginError) {
        let transportText = document.transport ?? (document.grpc != nil ? "grpc" : "mcp")
        guard let transport = Transport(rawValue: transportText) else {
            throw .invalidArgument("config: transport must be \"grpc\" or \"mcp\", found \"\(transportText)\"")
        }
        self.transport = transport
        switch transport {
        case .grpc:
            grpc = try Self.grpcSettings(document.grpc ?? Document.GRPC(), project: document.project ?? "caphost")
            mcp = nil
        case .mcp:
            grpc = nil
            mcp = try Self.mcpSettings(document.mcp ?? Document.MCP())
        }
        callTimeout = try Self.seconds(document.timeout, "timeout", default: 2, range: 0.01...60)
        cacheTTL = try Self.seconds(document.cacheTTL, "cache_ttl", default: 300, range: 0...86_400)
        staleTTL = try Self.seconds(document.staleTTL, "stale_ttl", default: 3_600, range: 0...604_800)
        maxAttempts = try Self.integer(document.maxAttempts, "max_attempts", default: 3, range: 1...5)
        breakerThreshold = try Self.integer(document.breakerThreshold, "breaker_threshold", default: 5, range: 1...1_000)
        breakerCooldown = try Self.seconds(document.breakerCooldown, "breaker_cooldown", default: 30, range: 0.01...3_600)
        let project = document.project ?? "caphost"
        guard !project.isEmpty else { throw .invalidArgument("config: project must not be empty") }
        self.project = project
        announce = AnnounceSettings(
            enabled: document.announce?.enabled ?? false, includeSelf: document.announce?.includeSelf ?? false,
            interval: try Self.seconds(document.announce?.interval, "announce.interval", default: 2, range: 0.05...3_600))
        healthFeed = HealthFeedSettings(
            enabled: document.healthFeed?.enabled ?? false,
            interval: try Self.seconds(document.healthFeed?.interval, "health_feed.interval", default: 30, range: 0.05...86_400))
    }

    private static func grpcSettings(_ grpc: Document.GRPC, project: String) throws(PluginError) -> GRPCSettings {
        let address = grpc.address ?? "127.0.0.1:8679"
        guard let (host, port) = Self.hostAndPort(address) else {
            throw .invalidArgument("config: grpc.address must be HOST:PORT (e.g. 127.0.0.1:8679 or [::1]:8679), found \"\(address)\"")
        }
        let package = grpc.package ?? RegistryMethod.defaultPackage
        guard RegistryMethod.isValidPackage(package) else {
            throw .invalidArgument("config: grpc.package must be dot-separated proto identifiers such as \(RegistryMethod.defaultPackage), found \"\(package)\"")
        }
        var tls: TLSFiles?
        if grpc.caFile != nil || grpc.certFile != nil || grpc.keyFile != nil {
            guard (grpc.certFile == nil) == (grpc.keyFile == nil) else {
                throw .invalidArgument("config: grpc.cert_file and grpc.key_file go together (mutual TLS); found only \(grpc.certFile == nil ? "key_file" : "cert_file")")
            }
            for (key, path) in [("ca_file", grpc.caFile), ("cert_file", grpc.certFile), ("key_file", grpc.keyFile)] {
                guard let path else { continue }
                guard FileManager.default.isReadableFile(atPath: path) else {
                    throw .invalidArgument("config: grpc.\(key) \"\(path)\" cannot be read (expected a PEM file)")
                }
            }
            tls = TLSFiles(caFile: grpc.caFile, serverName: grpc.serverName, certFile: grpc.certFile, keyFile: grpc.keyFile)
        }
        if !isLoopback(host) && tls == nil {
            throw .invalidArgument("config: grpc.address \(address) is not loopback: set grpc.ca_file (TLS) so the credential and the answers are not sent in the clear")
        }
        var credential: Credential?
        switch (grpc.token, grpc.jwt) {
        case (let token?, nil):
            guard !token.isEmpty else { throw .invalidArgument("config: grpc.token is empty (is its ${VAR} set?)") }
            credential = .token(token)
        case (nil, let jwt?):
            guard let secret = jwt.secret, secret.utf8.count >= 16 else {
                throw .invalidArgument("config: grpc.jwt.secret must hold at least 16 bytes (from ${VAR}); found \(jwt.secret?.utf8.count ?? 0)")
            }
            let lifetime = try Self.seconds(jwt.lifetime, "grpc.jwt.lifetime", default: 300, range: 10...86_400)
            credential = .jwt(secret: Array(secret.utf8), project: jwt.project ?? project, subject: jwt.subject ?? "caphost",
                              lifetime: lifetime)
        case (nil, nil): credential = nil
        case (_?, _?): throw .invalidArgument("config: set grpc.token or grpc.jwt, not both")
        }
        return GRPCSettings(host: host, port: port, package: package, tls: tls, credential: credential)
    }

    private static func mcpSettings(_ mcp: Document.MCP) throws(PluginError) -> MCPSettings {
        let url = mcp.url ?? "http://127.0.0.1:8681/mcp"
        guard let components = URLComponents(string: url), let scheme = components.scheme,
              ["http", "https"].contains(scheme), let host = components.host, !host.isEmpty else {
            throw .invalidArgument("config: mcp.url must be an http(s) URL such as http://127.0.0.1:8681/mcp, found \"\(url)\"")
        }
        if scheme == "http" && !isLoopback(host) {
            throw .invalidArgument("config: mcp.url \(url) is plain http to a non-loopback host: use https")
        }
        if let token = mcp.token, token.isEmpty { throw .invalidArgument("config: mcp.token is empty (is its ${VAR} set?)") }
        return MCPSettings(url: url, token: mcp.token)
    }

    static func hostAndPort(_ address: String) -> (String, Int)? {
        let host: Substring
        let portText: Substring
        if address.hasPrefix("[") {
            guard let close = address.firstIndex(of: "]"), address[address.index(after: close)...].hasPrefix(":") else { return nil }
            host = address[address.index(after: address.startIndex)..<close]
            portText = address[address.index(close, offsetBy: 2)...]
        } else {
            guard let colon = address.lastIndex(of: ":") else { return nil }
            host = address[..<colon]
            portText = address[address.index(after: colon)...]
        }
        guard !host.isEmpty, let port = Int(portText), (1...65_535).contains(port) else { return nil }
        return (String(host), port)
    }

    static func isLoopback(_ host: String) -> Bool {
        if host == "localhost" || host == "::1" { return true }
        let octets = host.split(separator: ".", omittingEmptySubsequences: false)
        return octets.count == 4 && octets[0] == "127" && octets.allSatisfy { UInt8($0) != nil }
    }

    private static func seconds(_ value: Double?, _ key: String, default fallback: Double,
                                range: ClosedRange<Double>) throws(PluginError) -> Duration {
        let seconds = value ?? fallback
        guard range.contains(seconds) else {
            throw .invalidArgument("config: \(key) must be \(range.lowerBound)…\(range.upperBound) seconds, found \(seconds)")
        }
        return .milliseconds(Int64((seconds * 1_000).rounded()))
    }

    private static func integer(_ value: Int?, _ key: String, default fallback: Int, range: ClosedRange<Int>) throws(PluginError) -> Int {
        let number = value ?? fallback
        guard range.contains(number) else {
            throw .invalidArgument("config: \(key) must be \(range.lowerBound)…\(range.upperBound), found \(number)")
        }
        return number
    }
}
