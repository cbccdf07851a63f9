import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import GRPCProtobuf
import NIOCore
import NIOPosix
import OneiricWire
import SwiftProtobuf
import Synchronization

/// The seed's gRPC `AdapterRegistry` (REFERENCE §1) through grpc-swift-2: plaintext, TLS or
/// mutual TLS, a per-call deadline, and `authorization: Bearer` with a static token or an HS256
/// JWT minted here and renewed before it expires. Methods are called by descriptor, so the
/// proto package is a setting. The connection is made on first use, on the plugin's own event
/// loop, and closed by ``shutdown()``.
final class GRPCRegistryTransport: RegistryTransport {
    let kind = "grpc"
    let address: String
    private let settings: OneiricConfiguration.GRPCSettings
    private let loop: RegistryEventLoop
    private let connection = Mutex<Connection>(.idle)
    private let minted = Mutex<(token: String, renewAt: Date)?>(nil)

    private enum Connection {
        case idle
        case running(GRPCClient<HTTP2ClientTransport.Posix>, Task<Void, Never>)
        case closed
    }

    init(settings: OneiricConfiguration.GRPCSettings, loop: RegistryEventLoop) {
        self.settings = settings
        self.address = settings.address
        self.loop = loop
    }

    func list(_ query: AdapterQuery, timeout: Duration) async throws(RegistryFailure) -> [RegistryAdapter] {
        var request = Oneiric_Registry_V1_ListRequest()
        request.project = query.project
        request.domain = query.domain
        request.category = query.category
        request.healthyOnly = query.healthyOnly
        let response: Oneiric_Registry_V1_ListResponse = try await call(.listAdapters, request, timeout: timeout)
        return response.adapters.map(RegistryAdapter.init)
    }

    func get(_ id: AdapterID, timeout: Duration) async throws(RegistryFailure) -> RegistryAdapter {
        var request = Oneiric_Registry_V1_GetRequest()
        request.adapterID = id.description
        let response: Oneiric_Registry_V1_GetResponse = try await call(.getAdapter, request, timeout: timeout)
        guard response.hasAdapter else { throw .malformed("GetAdapter answered without an adapter") }
        return RegistryAdapter(response.adapter)
    }

    func health(_ id: AdapterID, timeout: Duration) async throws(RegistryFailure) -> RegistryHealth {
        var request = Oneiric_Registry_V1_HealthCheckRequest()
        request.adapterID = id.description
        let response: Oneiric_Registry_V1_HealthCheckResponse = try await call(.healthCheck, request, timeout: timeout)
        return RegistryHealth(healthy: response.healthy, status: response.healthy ? "healthy" : "unhealthy", detail: nil)
    }

    func heartbeat(_ id: AdapterID, timeout: Duration) async throws(RegistryFailure) -> Bool {
        var request = Oneiric_Registry_V1_HeartbeatRequest()
        request.adapterID = id.description
        let response: Oneiric_Registry_V1_HeartbeatResponse = try await call(.heartbeat, request, timeout: timeout)
        return response.registered
    }

    func store(_ adapter: RegistryAdapter, timeout: Duration) async throws(RegistryFailure) {
        var request = Oneiric_Registry_V1_StoreRequest()
        request.adapter = adapter.entry
        let _: Oneiric_Registry_V1_StoreResponse = try await call(.storeAdapter, request, timeout: timeout)
    }

    func remove(_ adapter: RegistryAdapter, timeout: Duration) async throws(RegistryFailure) {
        var request = Oneiric_Registry_V1_RemoveRequest()
        request.adapterID = adapter.adapterID
        let _: Oneiric_Registry_V1_RemoveResponse = try await call(.removeAdapter, request, timeout: timeout)
    }

    func shutdown() async {
        let running = connection.withLock { state -> Task<Void, Never>? in
            defer { state = .closed }
            guard case .running(let client, let task) = state else { return nil }
            client.beginGracefulShutdown()
            return task
        }
        guard let running else { return }
        // In-flight calls have returned (destroy comes after the last call); a connection still
        // retrying or handshaking is not worth waiting for.
        let stopped = Task {
            try? await Task.sleep(for: .seconds(1))
            running.cancel()
        }
        await running.value
        stopped.cancel()
    }

    // MARK: - Calls

    private func call<Request: SwiftProtobuf.Message, Response: SwiftProtobuf.Message & Sendable>(
        _ method: RegistryMethod, _ message: Request, timeout: Duration
    ) async throws(RegistryFailure) -> Response {
        let client = try client()
        var metadata = Metadata()
        if let credential = bearerCredential() { metadata.addString("Bearer \(credential)", forKey: "authorization") }
        var options = CallOptions.defaults
        options.timeout = timeout
        // Fail at once when the registry cannot be reached instead of waiting for a connection.
        options.waitForReady = false
        do {
            return try await client.unary(request: ClientRequest(message: message, metadata: metadata),
                                          descriptor: method.descriptor(package: settings.package),
                                          serializer: ProtobufSerializer<Request>(), deserializer: ProtobufDeserializer<Response>(),
                                          options: options) { response in try response.message }
        } catch let error as RPCError {
            throw Self.failure(error, method: method)
        } catch {
            throw .unreachable("\(method.rawValue) failed: \(error)")
        }
    }

    /// The running client, started on first use.
    private func client() throws(RegistryFailure) -> GRPCClient<HTTP2ClientTransport.Posix> {
        let result = connection.withLock { state -> Result<GRPCClient<HTTP2ClientTransport.Posix>, RegistryFailure> in
            switch state {
            case .running(let client, _): return .success(client)
            case .closed: return .failure(.unavailable("the plugin is shutting down"))
            case .idle:
                do {
                    let client = GRPCClient(transport: try makeTransport())
                    let task = Task { do { try await client.runConnections() } catch {} }
                    state = .running(client, task)
                    return .success(client)
                } catch let failure as RegistryFailure {
                    return .failure(failure)
                } catch {
                    return .failure(.rejected("cannot set up the gRPC connection: \(error)"))
                }
            }
        }
        return try result.get()
    }

    private func makeTransport() throws -> HTTP2ClientTransport.Posix {
        let target: any ResolvableTarget = settings.host.contains(":")
            ? .ipv6(host: settings.host, port: settings.port)
            : (settings.host == "localhost" ? .ipv4(host: "127.0.0.1", port: settings.port) : .ipv4(host: settings.host, port: settings.port))
        var config = HTTP2ClientTransport.Posix.Config.defaults
        var security = HTTP2ClientTransport.Posix.TransportSecurity.plaintext
        if let tls = settings.tls {
            config.http2.authority = tls.serverName ?? settings.host
            security = .tls { configuration in
                if let ca = tls.caFile { configuration.trustRoots = .certificates([.file(path: ca, format: .pem)]) }
                if let cert = tls.certFile, let key = tls.keyFile {
                    configuration.certificateChain = [.file(path: cert, format: .pem)]
                    configuration.privateKey = .file(path: key, format: .pem)
                }
            }
        }
        return try HTTP2ClientTransport.Posix(target: target, transportSecurity: security, config: config, eventLoopGroup: try loop.group())
    }

    /// The token, or a JWT minted now and reused until a minute before it expires.
    private func bearerCredential() -> String? {
        switch settings.credential {
        case nil: return nil
        case .token(let token): return token
        case .jwt(let secret, let project, let subject, let lifetime):
            return minted.withLock { current in
                let now = Date()
                if let current, current.renewAt > now { return current.token }
                let token = RegistryJWT.sign(project: project, subject: subject, secret: secret, lifetime: lifetime, now: now)
                let seconds = Double(lifetime.components.seconds)
                current = (token, now.addingTimeInterval(max(seconds / 2, seconds - 60)))
                return token
            }
        }
    }

    private static func failure(_ error: RPCError, method: RegistryMethod) -> RegistryFailure {
        let text = "\(method.rawValue): \(error.code) \(error.message)"
        switch error.code {
        case .notFound: return .notFound(error.message)
        case .unauthenticated, .permissionDenied: return .refused(text)
        case .deadlineExceeded: return .timedOut(text)
        case .unavailable: return error.message.lowercased().contains("connect") ? .unreachable(text) : .unavailable(text)
        case .invalidArgument, .unimplemented, .failedPrecondition, .alreadyExists, .outOfRange: return .rejected(text)
        case .internalError, .dataLoss, .unknown:
            return error.message.contains("deserializ") ? .malformed(text) : .unavailable(text)
        default: return .unavailable(text)
        }
    }
}
