import CapHostConfig
import CapHostGRPC

extension RuntimeSettings {
    /// The runtime's settings as `caphost.yaml` gives them.
    public init(_ settings: CapHostSettings) {
        self.init(host: settings.host)
        http.address = settings.http.address
        http.port = settings.http.port
        http.tlsCertificatePath = settings.http.tls?.certificatePath
        http.tlsKeyPath = settings.http.tls?.keyPath
        http.maxRequestBytes = settings.http.maxRequestBytes
        http.keepAliveInterval = settings.http.keepAliveInterval
        http.allowedHosts = settings.http.allowedHosts
        http.maxConnections = settings.http.maxConnections
        http.idleTimeout = settings.http.idleTimeout
        http.maxEventStreams = settings.http.maxEventStreams
        apiToken = settings.http.token
        if settings.grpc.enabled {
            var tls: AdapterRegistrySettings.TLSFiles?
            if let files = settings.http.tls {
                tls = AdapterRegistrySettings.TLSFiles(certificateChainPath: files.certificatePath, privateKeyPath: files.keyPath,
                                                       clientCertificateAuthorityPath: settings.grpc.clientCertificateAuthority)
            }
            let jwt = settings.grpc.jwt.map { jwt in
                AdapterRegistrySettings.JWTVerification(secret: Array(jwt.secret.utf8), project: jwt.project,
                                                        leewaySeconds: jwt.leeway.components.seconds)
            }
            grpc = AdapterRegistrySettings(address: settings.grpc.address, port: settings.grpc.port,
                                           package: settings.grpc.package, token: nil, tls: tls, jwt: jwt)
        } else {
            grpc = nil
        }
        grpcRequiresToken = settings.grpc.requireToken
        mcpEnabled = settings.mcp.enabled
        durable.workers = settings.durable.workers
        durable.maxAttempts = settings.durable.maxAttempts
        durable.initialBackoff = settings.durable.initialBackoff
        durable.maxBackoff = settings.durable.maxBackoff
        durable.attemptTimeout = settings.durable.callTimeout
        durable.stopTimeout = settings.durable.stopTimeout
        durable.maxPayloadBytes = settings.durable.maxPayloadBytes
        durable.retainFinished = settings.durable.retainFinished
        drainTimeout = settings.drainTimeout
        scoreSampleInterval = settings.scoreSampleInterval
    }
}
