import CapHostCore
import Logging
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// MCP over stdio: newline-delimited JSON-RPC messages on an input and an
/// output file descriptor, one session for the life of the connection.
///
/// Lifecycle messages are handled in arrival order (so `initialize` is
/// answered before what follows it); `tools/call` requests run concurrently, so
/// a slow plugin call does not hold up `ping` or other calls. Server
/// notifications (`list_changed`) go to the same output. Nothing else may
/// write to that output: `caphost mcp` moves the process's stdout away first.
public final class MCPStdioTransport: Sendable {
    public let server: MCPServer
    private let input: Int32
    private let writer: FileDescriptorLineWriter
    private let maximumMessageBytes: Int
    private let inFlight = Atomic<Int>(0)

    /// - Parameters:
    ///   - input: where client messages arrive (stdin).
    ///   - output: where replies and notifications go (the real stdout).
    ///   - maximumMessageBytes: longer lines are refused with a parse error.
    public init(server: MCPServer, input: Int32 = STDIN_FILENO, output: Int32 = STDOUT_FILENO,
                maximumMessageBytes: Int = 32 * 1024 * 1024) {
        self.server = server
        self.input = input
        self.writer = FileDescriptorLineWriter(descriptor: output, label: "caphost.mcp.stdout")
        self.maximumMessageBytes = maximumMessageBytes
    }

    /// Serves one session until the input reaches end of file (the client is
    /// gone) or the output breaks, then waits up to `drainTimeout` for calls
    /// still running and closes the session.
    public func run(drainTimeout: Duration = .seconds(1)) async {
        let session = server.openSession()
        let notifications = session.outboundMessages()
        let forwarder = Task { [writer] in
            for await message in notifications { writer.send(message.bytes) }
        }
        for await line in FileDescriptorLineReader.lines(from: input, maximumLineBytes: maximumMessageBytes, name: "caphost-mcp-stdin") {
            guard !writer.isBroken else { break }
            switch line {
            case .oversized(let size):
                let error = JSONRPCError.invalidRequest("message of \(size) bytes is longer than the limit of \(maximumMessageBytes) bytes")
                writer.send(JSONRPCReply.error(id: .null, error).serialized())
            case .text(let bytes):
                await dispatch(bytes, session: session)
            }
        }
        let deadline = ContinuousClock.now + drainTimeout
        while inFlight.load(ordering: .acquiring) > 0, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(5))
        }
        session.close()
        forwarder.cancel()
        await writer.flush()
    }

    private func dispatch(_ bytes: [UInt8], session: MCPSession) async {
        let document: JSONValue
        do {
            document = try JSONValue(parsing: bytes)
        } catch {
            writer.send(JSONRPCReply.error(id: .null, .parseError(error)).serialized())
            return
        }
        if document["method"] == .string("tools/call") {
            inFlight.add(1, ordering: .relaxed)
            Task { [self] in
                if let reply = await session.reply(to: document) { writer.send(reply.serialized()) }
                inFlight.subtract(1, ordering: .releasing)
            }
        } else if let reply = await session.reply(to: document) {
            writer.send(reply.serialized())
        }
    }
}
