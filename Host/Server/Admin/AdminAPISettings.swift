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

    /// True for 127.0.0.0/8, ::1 and localhost.
    public var isLoopback: Bool {
        address == "localhost" || address == "::1" || address.hasPrefix("127.")
    }
}
