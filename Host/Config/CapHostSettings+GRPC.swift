extension CapHostSettings {
    /// The gRPC `AdapterRegistry` service (`grpc:`).
    public struct GRPC: Sendable, Hashable {
        /// Serve it at all (`enabled`, default true).
        public var enabled = true
        /// Address to bind (`address`, default 127.0.0.1).
        public var address = "127.0.0.1"
        /// Port to bind (`port`, default 8679; 0 picks a free port).
        public var port = 8679
        /// The protobuf package the service is served under (`package`).
        public var package = "oneiric.registry.v1"
        /// Callers must send the bearer token (`require_token`, default true).
        public var requireToken = true
        /// PEM file of the authority that signs client certificates (`client_ca`): with
        /// `http.tls`, the registry then speaks mutual TLS.
        public var clientCertificateAuthority: String?
        /// HS256 bearer JWTs accepted next to the static token (`jwt:`).
        public var jwt: JWT?

        /// `grpc.jwt`: the shared secret and the claims a token must carry.
        public struct JWT: Sendable, Hashable {
            /// The shared HS256 secret (`secret: ${VAR}`; a literal is refused). A secret: never log it.
            public var secret: String
            /// The `project` claim a token must carry (`project`); nil accepts any project.
            public var project: String?
            /// Clock skew tolerated on `exp`, `nbf` and `iat` (`leeway`, default 10s).
            public var leeway: Duration = .seconds(10)

            public init(secret: String, project: String? = nil, leeway: Duration = .seconds(10)) {
                self.secret = secret
                self.project = project
                self.leeway = leeway
            }
        }

        /// Defaults.
        public init() {}
    }
}
