import Foundation
import PluginKit

/// The plugin's configuration (`plugins: session-buddy: {...}` in caphost.yaml, JSON by the time
/// the plugin sees it), checked once at `create`.
struct SessionBuddyConfiguration: Sendable {
    /// session-buddy's MCP endpoint, e.g. `http://127.0.0.1:8678/mcp`.
    let url: String
    /// Its health route on the same origin (`/healthz`).
    let healthURL: String
    /// The limit of one HTTP request (connect, send, answer).
    let requestTimeout: Duration
    /// The limit of a whole call (several requests) when the caller sets no deadline.
    let callTimeout: Duration
    /// The limit of the health probe.
    let healthTimeout: Duration
    /// Attempts per MCP request when the connection fails before the request went out (1...5).
    let maxAttempts: Int
    /// The pause before such a retry.
    let retryBackoff: Duration
    /// The most reflections the local index of stored reflections remembers in memory.
    let indexCapacity: Int

    /// The configuration JSON as written.
    struct Document: Decodable {
        var url: String?
        var healthPath: String?
        var timeout: Double?
        var callTimeout: Double?
        var healthTimeout: Double?
        var maxAttempts: Int?
        var retryBackoff: Double?
        var indexCapacity: Int?

        enum CodingKeys: String, CodingKey {
            case url, timeout
            case healthPath = "health_path", callTimeout = "call_timeout", healthTimeout = "health_timeout", maxAttempts = "max_attempts"
            case retryBackoff = "retry_backoff", indexCapacity = "index_capacity"
        }
    }

    /// Checks every field; throws ``PluginError/invalidArgument(_:)`` naming the field, what it
    /// expects and what it found.
    init(_ document: Document) throws(PluginError) {
        let text = document.url ?? "http://127.0.0.1:8678/mcp"
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased(),
              ["http", "https"].contains(scheme), let host = components.host, !host.isEmpty else {
            throw .invalidArgument("config: url must be session-buddy's MCP endpoint such as http://127.0.0.1:8678/mcp, found \"\(text)\"")
        }
        guard components.path.isEmpty == false, components.query == nil else {
            throw .invalidArgument("config: url must name the MCP path (session-buddy serves /mcp), e.g. http://127.0.0.1:8678/mcp, found \"\(text)\"")
        }
        url = text
        let healthPath = document.healthPath ?? "/healthz"
        guard healthPath.hasPrefix("/") else {
            throw .invalidArgument("config: health_path must start with '/', found \"\(healthPath)\"")
        }
        var health = components
        health.path = healthPath
        healthURL = health.string ?? "\(scheme)://\(host)\(healthPath)"
        requestTimeout = try Self.seconds(document.timeout, default: 10, field: "timeout", range: 0.05...300)
        callTimeout = try Self.seconds(document.callTimeout, default: 30, field: "call_timeout", range: 0.1...600)
        healthTimeout = try Self.seconds(document.healthTimeout, default: 2, field: "health_timeout", range: 0.05...60)
        let attempts = document.maxAttempts ?? 2
        guard (1...5).contains(attempts) else {
            throw .invalidArgument("config: max_attempts must be 1...5, found \(attempts)")
        }
        maxAttempts = attempts
        retryBackoff = try Self.seconds(document.retryBackoff, default: 0.2, field: "retry_backoff", range: 0...10)
        let capacity = document.indexCapacity ?? 10_000
        guard (0...1_000_000).contains(capacity) else {
            throw .invalidArgument("config: index_capacity must be 0...1000000 reflections, found \(capacity)")
        }
        indexCapacity = capacity
    }

    private static func seconds(_ value: Double?, default fallback: Double, field: String,
                                range: ClosedRange<Double>) throws(PluginError) -> Duration {
        let seconds = value ?? fallback
        guard seconds.isFinite, range.contains(seconds) else {
            throw .invalidArgument("config: \(field) must be \(range.lowerBound)...\(range.upperBound) seconds, found \(seconds)")
        }
        return .milliseconds(Int64((seconds * 1000).rounded()))
    }
}
