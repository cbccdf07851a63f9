import OneiricWire

/// Where and how the gRPC `AdapterRegistry` listens, with the documented defaults
/// (SPEC §4: `127.0.0.1:8679`, package `oneiric.registry.v1`, plaintext, no token).
public struct AdapterRegistrySettings: Sendable, Hashable {
    /// The proto package Mahavishnu-style clients use (REFERENCE §1).
    public static let defaultPackage = "oneiric.registry.v1"
    /// The seed's plaintext registry port.
    public static let defaultPort = 8679
    /// The port the seed's registry used for TLS (a convention only; `port` decides).
    public static let conventionalTLSPort = 8680

    /// The IP address to bind (`127.0.0.1`, `::1`, `0.0.0.0` …; `localhost` means
    /// `127.0.0.1`). Any address but loopback needs both `tls` and `token`.
    public var address: String
    /// The TCP port; 0 binds an ephemeral port (read it with
    /// `AdapterRegistryServer.listeningAddress()`).
    public var port: Int
    /// The proto package the service is served under. It is part of every
    /// method's path (`/<package>.AdapterRegistry/ListAdapters`), so it must match
    /// the package the clients were generated from.
    public var package: String
    /// When set, every call must carry the metadata `authorization: Bearer <token>`.
    public var token: String?
    /// When set, the registry speaks TLS with this certificate and key.
    public var tls: TLSFiles?
    /// When set, HS256 bearer JWTs signed with this secret are accepted (next to
    /// `token` when both are set).
    public var jwt: JWTVerification?

    /// Settings with the defaults; override what you need.
    public init(address: String = "127.0.0.1", port: Int = AdapterRegistrySettings.defaultPort,
                package: String = AdapterRegistrySettings.defaultPackage, token: String? = nil,
                tls: TLSFiles? = nil, jwt: JWTVerification? = nil) {
        self.address = address
        self.port = port
        self.package = package
        self.token = token
        self.tls = tls
        self.jwt = jwt
    }

    /// How bearer JWTs are checked: the shared HS256 secret, the `project` claim a
    /// token must carry, and the clock skew tolerated on `exp`, `nbf` and `iat`.
    public struct JWTVerification: Sendable, Hashable {
        /// The shared secret. Never logged.
        public var secret: [UInt8]
        /// The project a token must be for; nil accepts any.
        public var project: String?
        /// Seconds of clock skew tolerated.
        public var leewaySeconds: Int64

        public init(secret: [UInt8], project: String? = nil, leewaySeconds: Int64 = 10) {
            self.secret = secret
            self.project = project
            self.leewaySeconds = leewaySeconds
        }
    }

    /// The server's certificate chain and private key, both PEM files, and
    /// optionally the authority client certificates must be signed by (mutual
    /// TLS, as the seed's registry on 8680 used).
    public struct TLSFiles: Sendable, Hashable {
        /// PEM file with the server certificate first, then any intermediates.
        public var certificateChainPath: String
        /// PEM file with the certificate's private key.
        public var privateKeyPath: String
        /// PEM file with the certificates that sign client certificates; when
        /// set, a client without a certificate signed by one of them cannot connect.
        public var clientCertificateAuthorityPath: String?

        /// Names the PEM files.
        public init(certificateChainPath: String, privateKeyPath: String, clientCertificateAuthorityPath: String? = nil) {
            self.certificateChainPath = certificateChainPath
            self.privateKeyPath = privateKeyPath
            self.clientCertificateAuthorityPath = clientCertificateAuthorityPath
        }
    }

    /// The fully qualified service name, the first part of every method path.
    var serviceName: String { RegistryMethod.serviceName(package: package) }

    /// Whether calls must carry a credential.
    var requiresCredentials: Bool { token != nil || jwt != nil }
}
