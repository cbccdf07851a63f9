extension CapHostSettings {
    /// The HTTP admin API (`http:`).
    public struct HTTP: Sendable, Hashable {
        /// Address to bind (`address`, default 127.0.0.1).
        public var address = "127.0.0.1"
        /// Port to bind (`port`, default 7070; 0 picks a free port).
        public var port = 7070
        /// Serve HTTPS with this certificate and key (`tls.certificate`, `tls.key`).
        public var tls: TLS?
        /// The largest request body accepted, invoke payloads included (`max_request_bytes`, default 16MiB).
        public var maxRequestBytes = 16 << 20
        /// How often an idle event stream sends a keep-alive comment (`keep_alive_interval`, default 15s).
        public var keepAliveInterval: Duration = .seconds(15)
        /// Host names a request's `Host`/`Origin` may carry besides loopback names and
        /// `address` (`allowed_hosts`, default none): against DNS rebinding.
        public var allowedHosts: Set<String> = []
        /// Open connections at most (`max_connections`, default 512).
        public var maxConnections = 512
        /// An idle keep-alive connection is closed after this (`idle_timeout`, default 60s).
        public var idleTimeout: Duration = .seconds(60)
        /// Open event streams at most (`max_event_streams`, default 64).
        public var maxEventStreams = 64
        /// The bearer token (`token: ${VAR}`); nil = the host generates
        /// `<state>/api-token` at first start. A secret: never log it.
        public var token: String?

        /// Defaults.
        public init() {}
    }

    /// A PEM certificate chain and private key, as absolute paths.
    public struct TLS: Sendable, Hashable {
        public var certificatePath: String
        public var keyPath: String

        /// A certificate and key pair.
        public init(certificatePath: String, keyPath: String) {
            self.certificatePath = certificatePath
            self.keyPath = keyPath
        }
    }
}
