import CapHostCore
import Foundation
import Synchronization

/// One client's conversation with the server: the negotiated protocol
/// revision, whether the client finished initializing, and the queue of
/// server notifications for it. Transports feed it messages with `receive`
/// and deliver `outboundMessages` (stdio: one session per process; HTTP: one
/// per `Mcp-Session-Id`).
public final class MCPSession: Sendable {
    struct State {
        var protocolVersion: String?
        /// The client sent `notifications/initialized`.
        var initialized = false
        var clientName: String?
        var closed = false
        var lastActivity = ContinuousClock.now
        var outbox = MCPOutbox()
    }

    /// Unguessable (128 random bits), visible ASCII: what `Mcp-Session-Id` carries.
    public let id: String
    let server: MCPServer
    let state = Mutex(State())

    init(server: MCPServer) {
        self.server = server
        var generator = SystemRandomNumberGenerator()
        self.id = (0..<2).map { _ in
            let word = generator.next() as UInt64
            let digits = String(word, radix: 16)
            return String(repeating: "0", count: 16 - digits.count) + digits
        }.joined()
    }

    /// The revision agreed at `initialize`, or nil before it.
    public var protocolVersion: String? { state.withLock { $0.protocolVersion } }

    /// True once `initialize` was answered and the client sent `notifications/initialized`.
    public var isInitialized: Bool { state.withLock { $0.protocolVersion != nil && $0.initialized } }

    /// The client's `clientInfo.name`, once initialized.
    public var clientName: String? { state.withLock { $0.clientName } }

    /// When the session last received a message.
    public var lastActivity: ContinuousClock.Instant { state.withLock { $0.lastActivity } }

    /// True once the session ended (`close()`, DELETE, expiry or server stop).
    public var isClosed: Bool { state.withLock { $0.closed } }

    /// The server's own messages for this client, from now on (plus any it
    /// missed: after `lastSequence` when given, else those never delivered).
    /// One consumer at a time: attaching finishes the previous stream. The
    /// stream finishes when the session closes.
    public func outboundMessages(after lastSequence: UInt64? = nil) -> AsyncStream<MCPOutboundMessage> {
        let (stream, continuation) = AsyncStream<MCPOutboundMessage>.makeStream(bufferingPolicy: .bufferingNewest(256))
        let (generation, replaced, closed) = state.withLock { state in
            guard !state.closed else { return (UInt64(0), AsyncStream<MCPOutboundMessage>.Continuation?.none, true) }
            let attached = state.outbox.attach(after: lastSequence, continuation)
            return (attached.generation, attached.replaced, false)
        }
        replaced?.finish()
        if closed {
            continuation.finish()
            return stream
        }
        continuation.onTermination = { [weak self] _ in
            self?.state.withLock { $0.outbox.detach(generation: generation) }
        }
        return stream
    }

    /// Marks the session as in use (an open stream keeps it from expiring).
    func touch() {
        state.withLock { $0.lastActivity = .now }
    }

    /// Queues a server message for this client.
    func post(_ message: JSONValue) {
        let bytes = message.serialized()
        state.withLock { state in
            guard !state.closed else { return }
            state.outbox.post(bytes)
        }
    }

    /// Ends the session: its outbound stream finishes and later messages are refused.
    public func close() {
        let consumer = state.withLock { state -> AsyncStream<MCPOutboundMessage>.Continuation? in
            state.closed = true
            return state.outbox.close()
        }
        consumer?.finish()
        server.forget(self)
    }
}
