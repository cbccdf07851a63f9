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

        /// Defaults.
        public init() {}
    }
}
