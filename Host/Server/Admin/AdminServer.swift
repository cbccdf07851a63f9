import CapHostCore
import CapHostMCP
import CapHostState
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import Logging
import NIOCore
import NIOSSL

/// The admin API: builds the Hummingbird application that serves `/healthz`,
/// `/readyz`, `/v1/…` (bearer token), `/metrics` (token) and `/mcp` (token).
public struct AdminServer: Sendable {
    /// Everything the routes read from.
    public struct Parts: Sendable {
        public let host: CapabilityHost
        public let settings: AdminAPISettings
        public let token: APIToken
        public let readiness: Readiness
        public let streams: EventStreams
        public let metrics: HostMetricsCollector
        public let deliveries: DurableDelivery?
        /// Where workflow runs are recorded, when the host has a state store.
        public let workflowRuns: WorkflowRunStore?
        /// MCP over streamable HTTP at `/mcp`, when served.
        public let mcp: MCPHTTPEndpoint?
        /// Routes added by other parts of the runtime (durable deliveries, MCP); `/v1…` and `/mcp` need the token.
        public let protectedRoutes: [@Sendable (RouterGroup<BasicRequestContext>) -> Void]

        public init(host: CapabilityHost, settings: AdminAPISettings, token: APIToken, readiness: Readiness,
                    streams: EventStreams, metrics: HostMetricsCollector, deliveries: DurableDelivery? = nil,
                    workflowRuns: WorkflowRunStore? = nil,
                    mcp: MCPHTTPEndpoint? = nil, protectedRoutes: [@Sendable (RouterGroup<BasicRequestContext>) -> Void] = []) {
            self.host = host
            self.settings = settings
            self.token = token
            self.readiness = readiness
            self.streams = streams
            self.metrics = metrics
            self.deliveries = deliveries
            self.workflowRuns = workflowRuns
            self.mcp = mcp
            self.protectedRoutes = protectedRoutes
        }
    }

    /// Refuses settings that would expose the host: a non-loopback address
    /// without TLS, or half a TLS configuration.
    public static func validate(_ settings: AdminAPISettings) throws(AdminServerError) {
        if (settings.tlsCertificatePath == nil) != (settings.tlsKeyPath == nil) {
            throw AdminServerError("http.tls: give both certificate and key, found only the \(settings.tlsCertificatePath == nil ? "key" : "certificate")")
        }
        if !settings.isLoopback && settings.tlsCertificatePath == nil {
            throw AdminServerError("refusing to serve the admin API on \(settings.address):\(settings.port) without TLS: a non-loopback address needs http.tls.certificate and http.tls.key (the bearer token alone would cross the network in clear)")
        }
        guard settings.maxConnections >= 1, settings.maxEventStreams >= 1 else {
            throw AdminServerError("http.max_connections and http.max_event_streams: expected at least 1, found \(settings.maxConnections) and \(settings.maxEventStreams)")
        }
        guard (0...65535).contains(settings.port) else {
            throw AdminServerError("http.port: expected 0…65535, found \(settings.port)")
        }
    }

    /// The responder: the router, with invokes taken before its trie (`AdminResponder`).
    package static func responder(_ parts: Parts) -> AdminResponder {
        let errors = APIErrorMiddleware<BasicRequestContext>(maxRequestBytes: parts.settings.maxRequestBytes)
        let origin = RequestOriginMiddleware<BasicRequestContext>(policy: RequestOriginPolicy(boundAddress: parts.settings.address,
                                                                                             allowedHosts: parts.settings.allowedHosts))
        let token = BearerTokenMiddleware<BasicRequestContext>(token: parts.token)
        let admin = AdminContext(host: parts.host, settings: parts.settings, readiness: parts.readiness,
                                 deliveries: parts.deliveries, workflowRuns: parts.workflowRuns)
        return AdminResponder(router: router(parts, errors: errors, origin: origin, token: token, admin: admin).buildResponder(),
                              errors: errors, origin: origin, token: token, admin: admin)
    }

    /// The router with every route and middleware.
    static func router(_ parts: Parts, errors: APIErrorMiddleware<BasicRequestContext>, origin: RequestOriginMiddleware<BasicRequestContext>,
                       token: BearerTokenMiddleware<BasicRequestContext>, admin: AdminContext) -> Router<BasicRequestContext> {
        let router = Router(context: BasicRequestContext.self)
        router.add(middleware: errors)
        router.add(middleware: origin)
        router.add(middleware: token)
        HealthRoutes.add(to: router, admin)
        let v1 = router.group("v1")
        CatalogRoutes.add(to: v1, admin)
        ControlRoutes.add(to: v1, admin)
        InvokeRoutes.add(to: v1, admin)
        EventRoutes.add(to: v1, admin, streams: parts.streams)
        DurableInvocation.addRoutes(to: v1, admin)
        WorkflowRoutes.add(to: v1, admin)
        router.get("metrics") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                     body: ResponseBody(byteBuffer: ByteBuffer(bytes: parts.metrics.render())))
        }
        if let mcp = parts.mcp { MCPRoutes.add(to: router, endpoint: mcp, maxBodyBytes: parts.settings.maxRequestBytes) }
        let protected = router.group()
        for add in parts.protectedRoutes { add(protected) }
        return router
    }

    /// The application, ready to run as a service; `onListening` receives the bound port.
    public static func application(_ parts: Parts, logger: Logger,
                                   onListening: @escaping @Sendable (Int) async -> Void) throws -> some ApplicationProtocol {
        try validate(parts.settings)
        // No `Server` header: one more header set on every response, and nothing a client needs.
        let configuration = ApplicationConfiguration(address: .hostname(parts.settings.address, port: parts.settings.port),
                                                     availableConnectionsDelegate: MaximumAvailableConnections(parts.settings.maxConnections, logger: logger))
        let http1 = HTTP1Channel.Configuration(idleTimeout: TimeAmount.nanoseconds(parts.settings.idleTimeout.nanoseconds))
        let server: HTTPServerBuilder
        if let certificate = parts.settings.tlsCertificatePath, let key = parts.settings.tlsKeyPath {
            do {
                let chain = try NIOSSLCertificate.fromPEMFile(certificate).map { NIOSSLCertificateSource.certificate($0) }
                let tls = TLSConfiguration.makeServerConfiguration(certificateChain: chain,
                                                                   privateKey: .privateKey(try NIOSSLPrivateKey(file: key, format: .pem)))
                server = try .tls(.http1(configuration: http1), tlsConfiguration: tls)
            } catch {
                throw AdminServerError("http.tls: cannot use certificate \(certificate) and key \(key): \(error)")
            }
        } else {
            server = .http1(configuration: http1)
        }
        return Application(responder: responder(parts), server: server, configuration: configuration,
                           onServerRunning: { channel in await onListening(channel.localAddress?.port ?? parts.settings.port) },
                           logger: logger)
    }
}

/// The admin API cannot start with these settings.
public struct AdminServerError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
