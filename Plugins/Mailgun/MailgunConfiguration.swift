import Foundation
#if canImport(Glibc)
import Glibc
#endif
import PluginKit

/// The plugin's configuration (`plugins: mailgun: {...}` in caphost.yaml, JSON by the time the
/// plugin sees it), validated once at `create`.
struct MailgunConfiguration: Sendable {
    /// The sending domain, e.g. `mg.example.com`; nil when not configured (health says so).
    let domain: String?
    /// `us` or `eu`.
    let region: Region
    /// The API base: `base_url` when set, else the region's entry in `region_base_urls`, else
    /// the region's Mailgun host.
    let baseURL: String
    /// The API key; nil when neither `api_key` nor the `api_key_env` variable has one.
    let apiKey: String?
    /// Where the key came from, for messages that must never contain the key itself.
    let apiKeySource: String
    /// The sender when a payload has no `from`.
    let defaultFrom: String?
    /// `o:testmode` for every message; a payload's `test_mode: false` does not turn it off.
    let testMode: Bool
    /// The limit of one HTTP attempt (connect, send, answer).
    let attemptTimeout: Duration
    /// Attempts per message, retries included (1...10).
    let maxAttempts: Int
    /// The first back-off before a retry; doubled per retry, jittered.
    let backoffInitial: Duration
    /// The largest back-off.
    let backoffMax: Duration
    /// The longest `Retry-After` the plugin honours; longer ones are capped to it.
    let retryAfterMax: Duration

    /// Mailgun's two API regions. A key works only in its own: the other answers 401.
    enum Region: String, Sendable {
        case us, eu

        /// The region's API base URL.
        var baseURL: String {
            switch self {
            case .us: "https://api.mailgun.net"
            case .eu: "https://api.eu.mailgun.net"
            }
        }
    }

    /// The configuration JSON as written.
    struct Document: Decodable {
        var domain: String?
        var region: String?
        var apiKey: String?
        var apiKeyEnv: String?
        var from: String?
        var testMode: Bool?
        var timeout: Double?
        var maxAttempts: Int?
        var backoffInitial: Double?
        var backoffMax: Double?
        var retryAfterMax: Double?
        var baseURL: String?
        var regionBaseURLs: [String: String]?

        enum CodingKeys: String, CodingKey {
            case domain, region, from, timeout
            case apiKey = "api_key", apiKeyEnv = "api_key_env", testMode = "test_mode"
            case maxAttempts = "max_attempts", backoffInitial = "backoff_initial", backoffMax = "backoff_max"
            case retryAfterMax = "retry_after_max", baseURL = "base_url", regionBaseURLs = "region_base_urls"
        }
    }

    /// Reads and checks the configuration; throws ``PluginError/invalidArgument(_:)`` naming the
    /// field, what it expects and what it found. `environment` looks a variable up (the process
    /// environment in production).
    init(_ document: Document, environment: (String) -> String? = MailgunConfiguration.processEnvironment) throws(PluginError) {
        let regionText = (document.region ?? "us").lowercased()
        guard let region = Region(rawValue: regionText) else {
            throw .invalidArgument("config: region must be \"us\" or \"eu\", found \"\(document.region ?? "")\"")
        }
        self.region = region
        for name in (document.regionBaseURLs ?? [:]).keys where Region(rawValue: name) == nil {
            throw .invalidArgument("config: region_base_urls keys must be \"us\" or \"eu\", found \"\(name)\"")
        }
        if let override = document.baseURL {
            baseURL = try Self.checkedBaseURL(override, field: "base_url")
        } else if let regional = document.regionBaseURLs?[region.rawValue] {
            baseURL = try Self.checkedBaseURL(regional, field: "region_base_urls.\(region.rawValue)")
        } else {
            baseURL = region.baseURL
        }
        if let domain = document.domain?.trimmingCharacters(in: .whitespaces), !domain.isEmpty {
            guard domain.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "." || $0 == "-" || $0 == "_" }) else {
                throw .invalidArgument("config: domain must be a DNS name such as mg.example.com, found \"\(domain)\"")
            }
            self.domain = domain
        } else {
            self.domain = nil
        }
        let variable = document.apiKeyEnv ?? "MAILGUN_API_KEY"
        if let key = document.apiKey, !key.isEmpty {
            apiKey = key
            apiKeySource = "config api_key"
        } else {
            let fromEnvironment = environment(variable)
            apiKey = (fromEnvironment?.isEmpty ?? true) ? nil : fromEnvironment
            apiKeySource = "environment variable \(variable)"
        }
        if let key = apiKey, key.contains(where: \.isNewline) {
            throw .invalidArgument("config: the API key (from \(apiKeySource)) contains a line break")
        }
        defaultFrom = document.from
        testMode = document.testMode ?? false
        attemptTimeout = try Self.seconds(document.timeout, default: 10, field: "timeout", range: 0.01...300)
        let attempts = document.maxAttempts ?? 3
        guard (1...10).contains(attempts) else {
            throw .invalidArgument("config: max_attempts must be 1...10, found \(attempts)")
        }
        maxAttempts = attempts
        backoffInitial = try Self.seconds(document.backoffInitial, default: 1, field: "backoff_initial", range: 0...60)
        backoffMax = try Self.seconds(document.backoffMax, default: 10, field: "backoff_max", range: 0...600)
        retryAfterMax = try Self.seconds(document.retryAfterMax, default: 60, field: "retry_after_max", range: 0...3600)
    }

    /// `base_url` (every region) or `region_base_urls` (per region; a proxy, or a local
    /// server in tests): https anywhere; plain http only to a loopback host (a local test server),
    /// never across a network where the API key would travel in clear text.
    static func checkedBaseURL(_ text: String, field: String) throws(PluginError) -> String {
        let trimmed = text.hasSuffix("/") ? String(text.dropLast()) : text
        guard let components = URLComponents(string: trimmed), let scheme = components.scheme?.lowercased(),
              let host = components.host, !host.isEmpty else {
            throw .invalidArgument("config: \(field) must be an absolute URL such as https://api.mailgun.net, found \"\(text)\"")
        }
        guard components.path.isEmpty, components.query == nil else {
            throw .invalidArgument("config: \(field) must be scheme://host[:port] without a path (the plugin adds /v3/...), found \"\(text)\"")
        }
        switch scheme {
        case "https":
            return trimmed
        case "http":
            guard isLoopback(host) else {
                throw .invalidArgument("config: \(field) \"\(text)\" uses plain http, which is allowed only for a loopback host (127.0.0.1, ::1, localhost): the API key would cross the network in clear text; use https")
            }
            return trimmed
        default:
            throw .invalidArgument("config: \(field) must use https (or http to a loopback host), found scheme \"\(scheme)\"")
        }
    }

    /// `localhost`, `::1`, or an IPv4 literal in 127.0.0.0/8 — not a name that merely starts
    /// with `127.` (`127.example.com` resolves anywhere).
    static func isLoopback(_ host: String) -> Bool {
        if ["localhost", "::1", "[::1]"].contains(host.lowercased()) { return true }
        let octets = host.split(separator: ".", omittingEmptySubsequences: false)
        guard octets.count == 4, octets.first == "127" else { return false }
        return octets.allSatisfy { octet in UInt8(octet) != nil && octet.allSatisfy(\.isASCII) }
    }

    private static func seconds(_ value: Double?, default fallback: Double, field: String,
                                range: ClosedRange<Double>) throws(PluginError) -> Duration {
        let seconds = value ?? fallback
        guard seconds.isFinite, range.contains(seconds) else {
            throw .invalidArgument("config: \(field) must be \(range.lowerBound)...\(range.upperBound) seconds, found \(seconds)")
        }
        return .milliseconds(Int64((seconds * 1000).rounded()))
    }

    /// Reads the process environment.
    static func processEnvironment(_ name: String) -> String? {
        getenv(name).map { String(cString: $0) }
    }

    /// `GET` target of the health check: Mailgun's domains API for the configured domain.
    func domainURL(_ domain: String) -> String { "\(baseURL)/v3/domains/\(domain)" }

    /// `POST` target of `send`.
    func messagesURL(_ domain: String) -> String { "\(baseURL)/v3/\(domain)/messages" }
}
