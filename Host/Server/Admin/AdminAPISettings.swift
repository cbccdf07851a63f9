import CapHostGRPC

/// Where and how the admin API listens.
public struct AdminAPISettings: Sendable, Hashable {
    /// Default 127.0.0.1; any other address needs a token and TLS.
    public var address = "127.0.0.1"
    /// Default 7070; 0 picks a free port (tests).
    public var port = 7070
    /// PEM certificate chain and private key; both or neither.
    public var tlsCertificatePath: String?
    public var tlsKeyPath: String?
    /// The largest request body accepted (invoke payloads included).
    public var maxRequestBytes = 16 << 20
    /// How often an idle Server-Sent Events stream sends a keep-alive comment.
    public var keepAliveInterval: Duration = .seconds(15)

    public init() {}

    /// Host names a request's `Host` or `Origin` may carry besides loopback
    /// ones and `address` (for a host reached by name through TLS).
    public var allowedHosts: Set<String> = []
    /// At most this many open connections; further ones wait in the listen backlog.
    public var maxConnections = 512
    /// A keep-alive connection with no request in progress is closed after this long.
    public var idleTimeout: Duration = .seconds(60)
    /// At most this many open Server-Sent Event streams (`GET /v1/events`); more get 503.
    public var maxEventStreams = 64

    /// True for an IP literal in 127.0.0.0/8, ::1 (or ::ffff:127.x.y.z) and
    /// `localhost`; a name that merely starts with "127." is not one.
    public var isLoopback: Bool {
        ListenAddress(address)?.isLoopback ?? false
    }
}
