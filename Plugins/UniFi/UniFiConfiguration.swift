import Foundation
#if canImport(Glibc)
import Glibc
#endif
import PluginKit

/// The plugin's configuration (`libunifi:` in caphost.yaml, JSON by the time the plugin sees
/// it), checked once at `create`: one or more locations, each a site on a UniFi Network
/// controller, and the timings every location shares.
///
/// A location whose credentials are missing is not a configuration error: its reads fail with
/// the reason (and `health` says so). Anything malformed is, naming the field.
struct UniFiConfiguration: Sendable {
    /// The places work can be routed to, in the order written (ties go to the earlier one).
    let locations: [LocationConfiguration]
    /// The limit of one location's whole read (detection, login, every request).
    let timeout: Duration
    /// How long a read is reused: a burst of calls within it costs one round trip per location.
    let cacheTTL: Duration
    /// Data older than this (the gateway's last contact with its controller) is stale: shown,
    /// never chosen.
    let staleAfter: Duration

    /// The configuration JSON as written.
    struct Document: Decodable {
        var locations: [LocationConfiguration.Document]?
        var timeout: ConfiguredSeconds?
        var cacheTTL: ConfiguredSeconds?
        var staleAfter: ConfiguredSeconds?

        enum CodingKeys: String, CodingKey {
            case locations, timeout
            case cacheTTL = "cache_ttl", staleAfter = "stale_after"
        }
    }

    /// Reads and checks `document`; `environment` looks a variable up (the process environment
    /// in production), `fileExists` checks a CA file.
    init(_ document: Document,
         environment: (String) -> String? = UniFiConfiguration.processEnvironment,
         fileExists: (String) -> Bool = { FileManager.default.isReadableFile(atPath: $0) }) throws(PluginError) {
        timeout = try Self.seconds(document.timeout?.seconds, default: 5, field: "timeout", range: 0.05...120)
        cacheTTL = try Self.seconds(document.cacheTTL?.seconds, default: 10, field: "cache_ttl", range: 0...3600)
        staleAfter = try Self.seconds(document.staleAfter?.seconds, default: 300, field: "stale_after", range: 1...86_400)
        var locations: [LocationConfiguration] = []
        for (index, entry) in (document.locations ?? []).enumerated() {
            let location = try LocationConfiguration(entry, field: "locations[\(index)]",
                                                     environment: environment, fileExists: fileExists)
            if let earlier = locations.first(where: { $0.name == location.name }) {
                throw .invalidArgument("config: locations[\(index)].name \"\(location.name)\" is already the name of the location for \(earlier.controller); names must be unique")
            }
            locations.append(location)
        }
        self.locations = locations
    }

    /// Refuses keys the plugin does not read, so a misspelt setting is an error rather than a
    /// silent default: at the top and in every location and its `tls`.
    static func checkKeys(_ config: [UInt8]) throws(PluginError) {
        guard !config.isEmpty, let top = try? JSONSerialization.jsonObject(with: Data(config)) as? [String: Any] else { return }
        try refuseUnknown(top, allowed: ["locations", "timeout", "cache_ttl", "stale_after"], field: "config")
        for (index, entry) in (top["locations"] as? [Any] ?? []).enumerated() {
            guard let location = entry as? [String: Any] else {
                throw .invalidArgument("config: locations[\(index)] must be an object (name, url, site, credentials, tls)")
            }
            try refuseUnknown(location, allowed: ["name", "url", "kind", "site", "username", "password", "password_env",
                                                  "api_key", "api_key_env", "tls", "gateway_mac"], field: "config: locations[\(index)]")
            if let tls = location["tls"] as? [String: Any] {
                try refuseUnknown(tls, allowed: ["fingerprint_sha256", "ca_file", "server_name"], field: "config: locations[\(index)].tls")
            }
        }
    }

    private static func refuseUnknown(_ object: [String: Any], allowed: Set<String>, field: String) throws(PluginError) {
        if let unknown = object.keys.sorted().first(where: { !allowed.contains($0) }) {
            let hint = unknown.lowercased().contains("verify") || unknown.lowercased().contains("insecure")
                ? " (there is no setting that turns certificate verification off: pin the certificate with tls.fingerprint_sha256 or name its CA with tls.ca_file)" : ""
            throw .invalidArgument("\(field): unknown key '\(unknown)'; the keys: \(allowed.sorted().joined(separator: ", "))\(hint)")
        }
    }

    /// Reads the process environment.
    static func processEnvironment(_ name: String) -> String? {
        getenv(name).map { String(cString: $0) }
    }

    static func seconds(_ value: Double?, default fallback: Double, field: String,
                        range: ClosedRange<Double>) throws(PluginError) -> Duration {
        let seconds = value ?? fallback
        guard seconds.isFinite, range.contains(seconds) else {
            throw .invalidArgument("config: \(field) must be \(range.lowerBound)...\(range.upperBound) seconds, found \(seconds)")
        }
        return .milliseconds(Int64((seconds * 1000).rounded()))
    }
}

/// A duration as caphost.yaml writes one: a number of seconds, or text such as `250ms`, `5s`,
/// `2m`, `1h` (as the host's own settings take them).
struct ConfiguredSeconds: Decodable {
    let seconds: Double

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let number = try? container.decode(Double.self) {
            seconds = number
            return
        }
        let text = try container.decode(String.self).trimmingCharacters(in: .whitespaces)
        let units: [(String, Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600)]
        for (suffix, scale) in units where text.hasSuffix(suffix) {
            if let value = Double(text.dropLast(suffix.count)), value.isFinite {
                seconds = value * scale
                return
            }
        }
        guard let value = Double(text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "expected seconds or a duration such as 250ms, 5s, 2m, found \"\(text)\"")
        }
        seconds = value
    }
}

/// One location: a site on one controller, how to log in, and which certificate to trust.
struct LocationConfiguration: Sendable {
    /// What `choose_location` answers, e.g. `home`.
    let name: String
    /// `https://host[:port]`, without a path.
    let controller: String
    /// The host part of ``controller`` (an IP literal or a DNS name).
    let host: String
    /// The TCP port (443 unless the URL says otherwise).
    let port: Int
    /// The kind written in config; `nil` detects it with the documented probe.
    let kind: ControllerKind?
    /// The site: its short name (`default`), its description, or (integration API) its id.
    let site: String
    /// How the plugin proves who it is.
    let credentials: Credentials
    /// Which certificate the controller must present.
    let trust: ControllerTrust
    /// The device (MAC) that is the site's gateway; `nil` finds it by its type or model.
    let gatewayMAC: String?

    /// A user and password (classic and UniFi OS), or an API key (integration API).
    enum Credentials: Sendable {
        /// `password` nil when the configured variable is empty: reads fail saying so.
        case account(username: String, password: String?, passwordSource: String)
        /// `key` nil when the configured variable is empty.
        case apiKey(key: String?, source: String)

        /// Where the secret comes from, for messages (never the secret itself).
        var source: String {
            switch self {
            case .account(_, _, let source), .apiKey(_, let source): source
            }
        }

        /// The secret, to redact from anything that could echo it.
        var secret: String? {
            switch self {
            case .account(_, let password, _): password
            case .apiKey(let key, _): key
            }
        }
    }

    /// A location as written.
    struct Document: Decodable {
        var name: String?
        var url: String?
        var kind: String?
        var site: String?
        var username: String?
        var password: String?
        var passwordEnv: String?
        var apiKey: String?
        var apiKeyEnv: String?
        var tls: TLSDocument?
        var gatewayMAC: String?

        enum CodingKeys: String, CodingKey {
            case name, url, kind, site, username, password, tls
            case passwordEnv = "password_env", apiKey = "api_key", apiKeyEnv = "api_key_env", gatewayMAC = "gateway_mac"
        }
    }

    /// `tls:` as written.
    struct TLSDocument: Decodable {
        var fingerprintSHA256: String?
        var caFile: String?
        var serverName: String?

        enum CodingKeys: String, CodingKey {
            case fingerprintSHA256 = "fingerprint_sha256", caFile = "ca_file", serverName = "server_name"
        }
    }

    init(_ document: Document, field: String, environment: (String) -> String?,
         fileExists: (String) -> Bool) throws(PluginError) {
        guard let name = document.name?.trimmingCharacters(in: .whitespaces), !name.isEmpty else {
            throw .invalidArgument("config: \(field).name is missing: every location needs a name (what choose_location answers)")
        }
        guard name.count <= 64, name.allSatisfy({ $0.isLetter || $0.isNumber || "._-".contains($0) }) else {
            throw .invalidArgument("config: \(field).name must be 1-64 letters, digits, '.', '_' or '-', found \"\(name)\"")
        }
        self.name = name
        let here = "\(field) (\(name))"
        guard let url = document.url else {
            throw .invalidArgument("config: \(here).url is missing: the controller's address, e.g. https://192.168.1.1 (UniFi OS) or https://unifi.example.com:8443 (classic)")
        }
        let trimmed = url.hasSuffix("/") ? String(url.dropLast()) : url
        guard let components = URLComponents(string: trimmed), let host = components.host, !host.isEmpty else {
            throw .invalidArgument("config: \(here).url must be https://host[:port], found \"\(url)\"")
        }
        guard components.scheme?.lowercased() == "https" else {
            throw .invalidArgument("config: \(here).url must use https (controllers only serve their API over TLS, and the password or API key must never cross the network in clear text), found \"\(url)\"")
        }
        guard components.path.isEmpty, components.query == nil, components.user == nil else {
            throw .invalidArgument("config: \(here).url must be https://host[:port] without a path, query or user (the plugin adds /api/… or /proxy/network/…), found \"\(url)\"")
        }
        controller = trimmed
        self.host = host.hasPrefix("[") ? String(host.dropFirst().dropLast()) : host
        port = components.port ?? 443
        switch document.kind?.lowercased() {
        case nil, "auto": kind = nil
        case let text?:
            guard let known = ControllerKind(rawValue: text) else {
                throw .invalidArgument("config: \(here).kind must be auto, classic, unifi-os or integration, found \"\(document.kind ?? "")\"")
            }
            kind = known
        }
        let site = document.site?.trimmingCharacters(in: .whitespaces) ?? "default"
        guard !site.isEmpty, !site.contains("/"), !site.contains("?"), !site.contains("#"), !site.contains("%") else {
            throw .invalidArgument("config: \(here).site must be a site name such as default (no '/', '?', '#' or '%'), found \"\(document.site ?? "")\"")
        }
        self.site = site

        let hasAccount = document.username != nil || document.password != nil || document.passwordEnv != nil
        let hasKey = document.apiKey != nil || document.apiKeyEnv != nil
        if hasAccount && hasKey {
            throw .invalidArgument("config: \(here) has both a username/password and an API key; give one: username + password_env (classic, UniFi OS) or api_key_env (integration API)")
        }
        if hasKey || kind == .integration {
            if hasAccount {
                throw .invalidArgument("config: \(here).kind is integration, which logs in with an API key (api_key_env), not a username and password")
            }
            if let kind, kind != .integration {
                throw .invalidArgument("config: \(here) has an API key, which only the integration API takes, but kind is \(kind.rawValue)")
            }
            credentials = .apiKey(key: Self.secret(document.apiKey, variable: document.apiKeyEnv ?? "UNIFI_API_KEY", environment: environment),
                                  source: document.apiKey != nil ? "config api_key" : "environment variable \(document.apiKeyEnv ?? "UNIFI_API_KEY")")
        } else {
            guard let username = document.username, !username.isEmpty else {
                throw .invalidArgument("config: \(here) needs credentials: username + password_env (a local controller account, classic or UniFi OS) or api_key_env (integration API)")
            }
            let variable = document.passwordEnv ?? "UNIFI_PASSWORD"
            credentials = .account(username: username,
                                   password: Self.secret(document.password, variable: variable, environment: environment),
                                   passwordSource: document.password != nil ? "config password" : "environment variable \(variable)")
        }
        if let secret = credentials.secret, secret.contains(where: \.isNewline) {
            throw .invalidArgument("config: \(here): the secret from \(credentials.source) contains a line break")
        }
        trust = try ControllerTrust(document.tls, field: "\(here).tls", fileExists: fileExists)
        if let mac = document.gatewayMAC {
            let normalized = mac.lowercased().replacingOccurrences(of: "-", with: ":")
            guard normalized.split(separator: ":").count == 6,
                  normalized.split(separator: ":").allSatisfy({ $0.count == 2 && $0.allSatisfy(\.isHexDigit) }) else {
                throw .invalidArgument("config: \(here).gateway_mac must be a MAC address such as 78:8a:20:33:44:55, found \"\(mac)\"")
            }
            gatewayMAC = normalized
        } else {
            gatewayMAC = nil
        }
    }

    /// The value written in config, else the variable's; nil when both are empty.
    private static func secret(_ literal: String?, variable: String, environment: (String) -> String?) -> String? {
        if let literal, !literal.isEmpty { return literal }
        guard let value = environment(variable), !value.isEmpty else { return nil }
        return value
    }
}
