import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import Synchronization

/// A controller's complete answer to one request.
struct ControllerAnswer: Sendable {
    /// The HTTP status code.
    let status: Int
    /// The response headers.
    let headers: HTTPHeaders
    /// The body, at most ``ControllerHTTP/maxBodyBytes``.
    let body: [UInt8]
}

/// Why an exchange ended without an answer.
enum ExchangeFailure: Error, Sendable {
    /// No connection: refused, no route, or none within the deadline.
    case unreachable(String)
    /// The controller's certificate was refused (pin mismatch, unknown CA, wrong name).
    case certificateRejected(String)
    /// Connected, but the whole answer did not arrive before the deadline.
    case timedOut(String)
    /// The connection broke, or the answer was malformed or too large.
    case broken(String)
}

/// HTTPS requests to controllers, one connection per request, on the plugin's own event loop
/// thread.
///
/// Written on SwiftNIO's HTTP/1 codec and NIOSSL rather than through AsyncHTTPClient because a
/// pinned certificate must be checked by its fingerprint during the handshake, and only
/// `NIOSSLClientHandler` takes a verification callback. A request costs a TLS handshake; reads are
/// cached (`cache_ttl`), so a location costs a few requests per refresh.
final class ControllerHTTP: Sendable {
    /// The largest body read (the biggest captured controller list is 160 KB).
    static let maxBodyBytes = 16 << 20

    private let group: MultiThreadedEventLoopGroup

    /// Starts the event loop thread.
    init() {
        group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    }

    /// Stops the thread; requests after this fail.
    func shutdown() async {
        try? await group.shutdownGracefully()
    }

    /// Sends one request to `endpoint` and reads the whole answer, all before `deadline`.
    func exchange(_ endpoint: ControllerEndpoint, method: HTTPMethod, path: String, headers: HTTPHeaders,
                  body: [UInt8]?, deadline: NIODeadline) async throws(ExchangeFailure) -> ControllerAnswer {
        let loop = group.next()
        let completion = AnswerCompletion(promise: loop.makePromise(of: ControllerAnswer.self))
        let observed = ObservedCertificate()
        let what = "\(method.rawValue) \(endpoint.origin)\(path)"
        let timeout = loop.scheduleTask(deadline: deadline) {
            completion.fail(.timedOut("no complete answer to \(what) within the deadline"))
        }
        defer {
            timeout.cancel()
            // Every path completes the promise (NIO requires it): a no-op once it was.
            completion.fail(.broken("\(what): abandoned"))
        }

        let remaining = deadline - .now()
        let bootstrap = ClientBootstrap(group: loop)
            .connectTimeout(remaining > .zero ? remaining : .milliseconds(1))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(try endpoint.makeTLSHandler(observed: observed))
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    try channel.pipeline.syncOperations.addHandler(
                        AnswerCollector(completion: completion, endpoint: endpoint, observed: observed, what: what))
                }
            }
        let channel: Channel
        do {
            channel = try await bootstrap.connect(host: endpoint.host, port: endpoint.port).get()
        } catch ChannelError.connectTimeout(_) {
            throw .unreachable("no connection to \(endpoint.origin) within the deadline")
        } catch {
            throw .unreachable("cannot connect to \(endpoint.origin): \(error)")
        }
        completion.futureResult.whenComplete { _ in channel.close(promise: nil) }

        var head = HTTPRequestHead(version: .http1_1, method: method, uri: path, headers: headers)
        head.headers.replaceOrAdd(name: "Host", value: endpoint.hostHeader)
        head.headers.replaceOrAdd(name: "Connection", value: "close")
        head.headers.replaceOrAdd(name: "Accept", value: "application/json")
        if let body {
            head.headers.replaceOrAdd(name: "Content-Type", value: "application/json")
            head.headers.replaceOrAdd(name: "Content-Length", value: String(body.count))
        }
        channel.write(HTTPClientRequestPart.head(head), promise: nil)
        if let body {
            channel.write(HTTPClientRequestPart.body(.byteBuffer(ByteBuffer(bytes: body))), promise: nil)
        }
        channel.writeAndFlush(HTTPClientRequestPart.end(nil)).whenFailure { error in
            completion.fail(.broken("could not send \(what): \(error)"))
        }
        do {
            return try await completion.futureResult.get()
        } catch let failure as ExchangeFailure {
            throw failure
        } catch {
            throw .broken("\(what): \(error)")
        }
    }
}

/// Where a location's controller listens and which certificate it must present, with the TLS
/// context made once.
struct ControllerEndpoint: Sendable {
    /// `https://host[:port]`, for messages.
    let origin: String
    let host: String
    let port: Int
    let trust: ControllerTrust
    private let context: NIOSSLContext

    /// Makes the TLS context: for a pin, verification is the fingerprint check alone (done by
    /// the handler's callback); for a CA file, that file's certificates are the only roots.
    init(origin: String, host: String, port: Int, trust: ControllerTrust) throws {
        self.origin = origin
        self.host = host
        self.port = port
        self.trust = trust
        var configuration = TLSConfiguration.makeClientConfiguration()
        switch trust {
        case .system:
            configuration.certificateVerification = .fullVerification
        case .pinned:
            // Replaced by the callback; NIOSSL calls it only when verification is not `.none`.
            configuration.certificateVerification = .noHostnameVerification
        case .caFile(let path, _):
            configuration.trustRoots = .file(path)
            configuration.certificateVerification = .fullVerification
        }
        context = try NIOSSLContext(configuration: configuration)
    }

    /// `host:port` as the `Host` header writes it.
    var hostHeader: String {
        let name = host.contains(":") ? "[\(host)]" : host
        return port == 443 ? name : "\(name):\(port)"
    }

    /// The name sent as SNI and checked against the certificate: `server_name` when set, else the
    /// URL's host unless it is an IP literal (then NIOSSL checks the certificate's IP entries).
    private var serverHostname: String? {
        switch trust {
        case .system(let name?), .caFile(_, let name?): return name
        default: return Self.isIPLiteral(host) ? nil : host
        }
    }

    static func isIPLiteral(_ host: String) -> Bool {
        (try? SocketAddress(ipAddress: host, port: 0)) != nil
    }

    /// A handler for one connection. With a pin, the callback records the certificate's
    /// fingerprint in `observed` and accepts only the pinned one.
    func makeTLSHandler(observed: ObservedCertificate) throws -> NIOSSLClientHandler {
        guard case .pinned(let pin) = trust else {
            return try NIOSSLClientHandler(context: context, serverHostname: serverHostname)
        }
        return try NIOSSLClientHandler(context: context, serverHostname: nil) { certificates, promise in
            guard let leaf = certificates.first, let der = try? leaf.toDERBytes() else {
                promise.succeed(.failed)
                return
            }
            let seen = ControllerTrust.fingerprint(ofDER: der)
            observed.fingerprint.withLock { $0 = seen }
            promise.succeed(seen == pin ? .certificateVerified : .failed)
        }
    }

    /// Says why a handshake failed, naming both fingerprints when a pin did not match.
    func handshakeFailure(_ error: any Error, observed: [UInt8]?) -> ExchangeFailure {
        switch trust {
        case .pinned(let pin):
            guard let observed else {
                return .certificateRejected("TLS handshake with \(origin) failed before its certificate was seen: \(error)")
            }
            if observed != pin {
                return .certificateRejected("\(origin) presented a certificate with SHA-256 \(ControllerTrust.fingerprintText(observed)), but the configured fingerprint_sha256 is \(ControllerTrust.fingerprintText(pin)); refusing it (if the controller's certificate really changed, pin the new one)")
            }
            return .certificateRejected("TLS handshake with \(origin) failed after the pinned certificate matched: \(error)")
        case .caFile(let path, _):
            return .certificateRejected("\(origin)'s certificate is not accepted with the CA file \(path) (or does not name \(serverHostname ?? host)): \(error)")
        case .system:
            return .certificateRejected("\(origin)'s certificate is not trusted by the system trust store (or does not name \(serverHostname ?? host)); a self-signed controller needs tls.fingerprint_sha256 or tls.ca_file: \(error)")
        }
    }
}

/// The fingerprint of the certificate a connection's peer presented, once the handshake saw it.
final class ObservedCertificate: Sendable {
    let fingerprint = Mutex<[UInt8]?>(nil)
}

/// Completes an exchange's promise once, whoever comes first (the answer, an error, the
/// deadline).
final class AnswerCompletion: Sendable {
    private let promise: EventLoopPromise<ControllerAnswer>
    private let done = Atomic<Bool>(false)

    init(promise: EventLoopPromise<ControllerAnswer>) {
        self.promise = promise
    }

    var futureResult: EventLoopFuture<ControllerAnswer> { promise.futureResult }

    func succeed(_ answer: ControllerAnswer) {
        if done.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged {
            promise.succeed(answer)
        }
    }

    func fail(_ failure: ExchangeFailure) {
        if done.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged {
            promise.fail(failure)
        }
    }
}

/// Reads one HTTP response into a ``ControllerAnswer``.
private final class AnswerCollector: ChannelInboundHandler {
    typealias InboundIn = HTTPClientResponsePart

    private let completion: AnswerCompletion
    private let endpoint: ControllerEndpoint
    private let observed: ObservedCertificate
    private let what: String
    private var head: HTTPResponseHead?
    private var body: [UInt8] = []

    init(completion: AnswerCompletion, endpoint: ControllerEndpoint, observed: ObservedCertificate, what: String) {
        self.completion = completion
        self.endpoint = endpoint
        self.observed = observed
        self.what = what
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
        case .body(var buffer):
            guard body.count + buffer.readableBytes <= ControllerHTTP.maxBodyBytes else {
                completion.fail(.broken("the answer to \(what) is larger than \(ControllerHTTP.maxBodyBytes) bytes"))
                context.close(promise: nil)
                return
            }
            body += buffer.readBytes(length: buffer.readableBytes) ?? []
        case .end:
            if let head {
                completion.succeed(ControllerAnswer(status: Int(head.status.code), headers: head.headers, body: body))
            } else {
                completion.fail(.broken("\(what): the answer ended before its status line"))
            }
            context.close(promise: nil)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if error is NIOSSLError || error is NIOSSLExtraError || error is BoringSSLError {
            completion.fail(endpoint.handshakeFailure(error, observed: observed.fingerprint.withLock { $0 }))
        } else {
            completion.fail(.broken("\(what): \(error)"))
        }
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        completion.fail(.broken("\(endpoint.origin) closed the connection before its answer to \(what) was complete"))
        context.fireChannelInactive()
    }
}
