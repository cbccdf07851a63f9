import NIOCore
import NIOPosix
import PluginKit

/// Test fixture: a Swift plugin that embeds its own SwiftNIO (capability `adapter:nettest:nio`).
///
/// `roundtrip` with `{"port": N, "message": "text"}` connects to 127.0.0.1:N on the event loop
/// group the instance created, writes the message and a newline, reads one line back and returns
/// `{"loops": <event loops>, "reply": "<line>"}`. It proves that a plugin's private copy of NIO
/// (with its dynamic casts) works when loaded `RTLD_LOCAL` beside a host that embeds another.
/// Loopback only: it never connects anywhere but 127.0.0.1.
public final class NIOLoopbackPlugin: CapabilityPlugin {
    /// The descriptor the host reads.
    public static let manifest = PluginManifest(
        name: "nio-loopback", version: "1.0.0", vendor: "caphost tests",
        flags: [.threadSafe],
        capabilities: [
            Capability(
                domain: "adapter", category: "nettest", provider: "nio",
                description: "Line round trip over loopback with an embedded SwiftNIO",
                methods: [
                    CapabilityMethod(
                        name: "roundtrip", description: "Sends one line to 127.0.0.1:port and returns the line read back",
                        inputSchema: #"{"type":"object","properties":{"port":{"type":"integer"},"message":{"type":"string"}},"required":["port","message"]}"#),
                ]),
        ])

    /// Optional configuration: `{"eventLoops": 2}`.
    struct Config: Decodable {
        var eventLoops: Int?
    }

    /// The `roundtrip` payload.
    struct RoundtripRequest: Decodable, Sendable {
        var port: Int
        var message: String
    }

    /// The `roundtrip` response.
    struct RoundtripReply: Encodable, Sendable {
        var reply: String
        var loops: Int
    }

    /// How long a round trip may take when the host's deadline allows more.
    static let roundtripTimeout: Duration = .seconds(2)

    private let group: MultiThreadedEventLoopGroup
    private let loopCount: Int

    /// Starts the instance's own event loop group.
    public init(context: PluginContext) throws {
        let config = try context.decodeConfig(Config.self)
        let loops = config.eventLoops ?? 2
        guard (1...16).contains(loops) else {
            throw PluginError.invalidArgument("config: eventLoops must be 1...16, not \(loops)")
        }
        group = MultiThreadedEventLoopGroup(numberOfThreads: loops)
        loopCount = group.makeIterator().reduce(0) { count, _ in count + 1 }
        context.log(.info, "nio-loopback started \(loopCount) event loops")
    }

    /// Serves `roundtrip`.
    public func invoke(_ request: PluginRequest) async throws -> PluginResponse {
        guard request.method == "roundtrip" else { throw PluginError.unimplemented(request) }
        let input = try request.decode(RoundtripRequest.self)
        guard (1...65_535).contains(input.port) else {
            throw PluginError.invalidArgument("roundtrip: port must be 1...65535, not \(input.port)")
        }
        guard !input.message.contains("\n") else {
            throw PluginError.invalidArgument("roundtrip: message must be one line")
        }
        var timeout = Self.roundtripTimeout
        if let deadline = request.deadline { timeout = min(timeout, deadline.remaining) }
        let reply = try await roundtrip(port: input.port, message: input.message, timeout: timeout)
        return try .json(RoundtripReply(reply: reply, loops: loopCount))
    }

    /// Healthy while the event loop group runs a task.
    public func health() async throws {
        do {
            try await group.next().submit {}.get()
        } catch {
            throw PluginError.unavailable("event loop group is not running: \(Self.describe(error))")
        }
    }

    /// Stops the event loop group (joins its threads).
    public func shutdown() async {
        try? await group.shutdownGracefully()
    }

    /// Connects to 127.0.0.1:`port`, sends `message` and a newline, and returns the first line back.
    private func roundtrip(port: Int, message: String, timeout: Duration) async throws -> String {
        let eventLoop = group.next()
        let line = eventLoop.makePromise(of: String.self)
        let address: SocketAddress
        do {
            address = try SocketAddress(ipAddress: "127.0.0.1", port: port)
        } catch {
            throw PluginError.internal("cannot form the loopback address: \(Self.describe(error))")
        }
        let timeAmount = TimeAmount.nanoseconds(Int64(timeout.components.seconds) * 1_000_000_000
                                                + timeout.components.attoseconds / 1_000_000_000)
        let channel: any Channel
        do {
            channel = try await ClientBootstrap(group: eventLoop)
                .connectTimeout(timeAmount)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(LineReader(line: line))
                    }
                }
                .connect(to: address)
                .get()
        } catch ChannelError.connectTimeout(let after) {
            line.fail(ChannelError.connectTimeout(after))
            throw PluginError.timeout("connecting to 127.0.0.1:\(port) took longer than \(after.nanoseconds / 1_000_000) ms")
        } catch {
            line.fail(error)
            throw PluginError.unavailable("cannot connect to 127.0.0.1:\(port): \(Self.describe(error))")
        }

        let timer = eventLoop.scheduleTask(in: timeAmount) {
            line.fail(PluginError.timeout("no line back from 127.0.0.1:\(port) within \(timeAmount.nanoseconds / 1_000_000) ms"))
        }
        line.futureResult.whenComplete { _ in
            timer.cancel()
            channel.close(promise: nil)
        }
        channel.writeAndFlush(ByteBuffer(string: message + "\n"), promise: nil)
        do {
            return try await line.futureResult.get()
        } catch let error as PluginError {
            throw error
        } catch {
            throw PluginError.unavailable("round trip to 127.0.0.1:\(port) failed: \(Self.describe(error))")
        }
    }

    /// An error's text. Deliberately uses dynamic casts (to a NIO type and to an existential
    /// composition): casts across images are what break when a Swift library is unloaded or
    /// bound to the wrong copy of a package.
    static func describe(_ error: any Error) -> String {
        if let ioError = error as? IOError {
            return ioError.description
        }
        if let described = error as? any Error & CustomStringConvertible {
            return described.description
        }
        return String(describing: error)
    }
}

/// The one symbol the host looks up.
@_cdecl("cap_plugin_entry_v1")
public func capPluginEntry() -> UnsafeRawPointer { PluginExport.descriptor(for: NIOLoopbackPlugin.self) }
