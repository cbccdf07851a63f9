import CapHostCore
import GRPCCore
import GRPCNIOTransportHTTP2
import Logging
import Metrics
import Synchronization

/// Serves the seed's gRPC `AdapterRegistry` (REFERENCE §1) from the host's own
/// catalog: every loaded provider as an `AdapterEntry`, with live health checks
/// and heartbeats.
///
/// Run it in a task: `run()` serves until the task is cancelled (abrupt) or
/// `beginGracefulShutdown()` is called (in-flight calls finish first). Under
/// swift-service-lifecycle, wrap `run()` in `withGracefulShutdownHandler` with
/// `beginGracefulShutdown()` as the handler.
public final class AdapterRegistryServer: Sendable {
    /// The settings the server was created with (already validated).
    public let settings: AdapterRegistrySettings

    private enum Lifecycle {
        case created
        /// `beginGracefulShutdown()` came first: `run()` returns at once.
        case shutDownBeforeRunning
        case running
        case finished
    }

    private let listenAddress: ListenAddress
    private let server: GRPCServer<HTTP2ServerTransport.Posix>
    private let logger: Logger
    private let lifecycle = Mutex(Lifecycle.created)
    private let bound = BoundAddress()

    /// Creates a server for `host`'s catalog. Throws `AdapterRegistrySettingsError`
    /// when the settings cannot work: a malformed address, port or package, an
    /// empty token, an unreadable TLS file, or a non-loopback address without
    /// both TLS and a token.
    ///
    /// - Parameter metricsFactory: where `caphost_grpc_requests_total` goes;
    ///   nil uses `MetricsSystem.factory` as bootstrapped when this runs.
    public init(host: CapabilityHost, settings: AdapterRegistrySettings = AdapterRegistrySettings(),
                logger: Logger = Logger(label: "caphost.grpc"),
                metricsFactory: (any MetricsFactory)? = nil) throws {
        let listenAddress = try settings.validated()
        self.settings = settings
        self.listenAddress = listenAddress
        self.logger = logger

        let address: GRPCNIOTransportCore.SocketAddress = listenAddress.isIPv6
            ? .ipv6(host: listenAddress.host, port: settings.port)
            : .ipv4(host: listenAddress.host, port: settings.port)
        let transport = HTTP2ServerTransport.Posix(address: address, transportSecurity: Self.security(settings.tls))

        let service = AdapterRegistryService(host: host, logger: logger, package: settings.package)
        var interceptors: [any ServerInterceptor] = [CallMetricsInterceptor(factory: metricsFactory ?? MetricsSystem.factory)]
        if settings.requiresCredentials {
            interceptors.append(BearerCredentialInterceptor(token: settings.token, jwt: settings.jwt))
        }
        self.server = GRPCServer(transport: transport, services: [service], interceptors: interceptors)
    }

    /// Binds and serves until `beginGracefulShutdown()` is called (returns once
    /// in-flight calls finished) or the calling task is cancelled (closes at once,
    /// throws `CancellationError`). Returns at once when shut down before it
    /// started. Throws `AdapterRegistryServerError.couldNotServe` when the address
    /// cannot be bound (e.g. the port is taken) or the transport fails, and
    /// `alreadyStarted` when called a second time.
    public func run() async throws {
        let start = lifecycle.withLock { state -> Result<Bool, AdapterRegistryServerError> in
            switch state {
            case .created:
                state = .running
                return .success(true)
            case .shutDownBeforeRunning: return .success(false)
            case .running, .finished: return .failure(.alreadyStarted)
            }
        }
        guard try start.get() else {
            bound.end(AdapterRegistryServerError.notListening)
            return
        }
        defer {
            lifecycle.withLock { $0 = .finished }
            bound.end(AdapterRegistryServerError.notListening)
        }
        let server = self.server
        let bound = self.bound
        let logger = self.logger
        let settings = self.settings
        do {
            try await withThrowingDiscardingTaskGroup { group in
                group.addTask { try await server.serve() }
                group.addTask {
                    // Resolves once the socket is bound; throws when binding failed,
                    // and then serve() throws why.
                    guard let address = try? await server.transport.listeningAddress,
                          let (host, port) = Self.hostAndPort(address) else { return }
                    bound.bind(host: host, port: port)
                    logger.info("gRPC AdapterRegistry listening", metadata: [
                        "address": "\(host):\(port)", "service": "\(settings.serviceName)",
                        "tls": "\(Self.tlsMode(settings.tls))", "token": "\(settings.token == nil ? "none" : "accepted")",
                        "jwt": "\(settings.jwt == nil ? "off" : "accepted")",
                    ])
                }
            }
        } catch {
            if Task.isCancelled {
                bound.end(CancellationError())
                throw CancellationError()
            }
            let failure = AdapterRegistryServerError.couldNotServe(
                address: "\(listenAddress.host):\(settings.port)", reason: Self.reason(error))
            bound.end(failure)
            throw failure
        }
    }

    /// Stops accepting new calls; in-flight calls finish, then `run()` returns.
    /// Before `run()`, makes `run()` return at once.
    public func beginGracefulShutdown() {
        let wasRunning = lifecycle.withLock { state -> Bool in
            switch state {
            case .created:
                state = .shutDownBeforeRunning
                return false
            case .running: return true
            case .shutDownBeforeRunning, .finished: return false
            }
        }
        if wasRunning { server.beginGracefulShutdown() } else { bound.end(AdapterRegistryServerError.notListening) }
    }

    /// The address the server listens on, once `run()` has bound it (waits
    /// until then; the port is the real one when `settings.port` is 0). Throws
    /// the reason when binding failed, or `notListening` once stopped.
    public func listeningAddress() async throws -> (host: String, port: Int) {
        try await bound.wait()
    }

    private static func security(_ files: AdapterRegistrySettings.TLSFiles?) -> HTTP2ServerTransport.Posix.TransportSecurity {
        guard let files else { return .plaintext }
        return .tls(certificateChain: [.file(path: files.certificateChainPath, format: .pem)],
                    privateKey: .file(path: files.privateKeyPath, format: .pem)) { tls in
            guard let authority = files.clientCertificateAuthorityPath else { return }
            // Clients are identified by certificate, not by name: no hostname to check.
            tls.clientCertificateVerification = .noHostnameVerification
            tls.trustRoots = .certificates([.file(path: authority, format: .pem)])
        }
    }

    private static func tlsMode(_ files: AdapterRegistrySettings.TLSFiles?) -> String {
        guard let files else { return "off" }
        return files.clientCertificateAuthorityPath == nil ? "on" : "mutual"
    }

    private static func hostAndPort(_ address: GRPCNIOTransportCore.SocketAddress) -> (String, Int)? {
        if let ipv4 = address.ipv4 { return (ipv4.host, ipv4.port) }
        if let ipv6 = address.ipv6 { return (ipv6.host, ipv6.port) }
        return nil
    }

    /// The innermost account of a transport failure (gRPC wraps the socket error
    /// in "Server transport threw an error.").
    private static func reason(_ error: any Error) -> String {
        var error = error
        while let runtime = error as? RuntimeError, let cause = runtime.cause { error = cause }
        if let runtime = error as? RuntimeError { return runtime.message }
        return String(describing: error)
    }
}
