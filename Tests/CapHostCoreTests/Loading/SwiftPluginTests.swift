import CapHostCore
import CapHostTestSupport
import Foundation
import NIOCore
import NIOPosix
import Testing

/// Swift plugins built through PluginKit, loaded by the real host: the example,
/// and a plugin embedding its own SwiftNIO doing network I/O inside a host
/// that runs SwiftNIO too (REFERENCE §6).
@Suite(.serialized) struct SwiftPluginTests {
    func install(_ product: String, into test: TestHost, as name: String) throws -> String {
        let built = FixturePlugins.buildProductsDirectory + "/lib\(product).so"
        guard FileManager.default.fileExists(atPath: built) else {
            throw FixtureError("\(built) is missing: run `swift build` (it builds every product) before the tests")
        }
        return try FixturePlugins.install(built, into: test.pluginsDirectory, as: name)
    }

    @Test func swiftExampleServesAndItsRetiredImageStaysMapped() async throws {
        try await TestHost.with { test in
            let file = try install("EchoSwiftPlugin", into: test, as: "echo_swift.so")
            let report = await test.host.load(file: file)
            #expect(report.state == .loaded, "\(report.error?.description ?? "")")
            #expect(report.linksSwiftRuntime == true)
            let echo = SlotKey(domain: "adapter", category: "echo")
            let upper = try await test.host.invoker.invoke(.slot(echo), method: "upper", payload: Array(#"{"text":"hello"}"#.utf8))
            #expect(upper.body.text == #"{"text":"HELLO"}"#)
            do throws(InvocationError) {
                _ = try await test.host.invoker.invoke(.slot(echo), method: "upper", payload: Array("not json".utf8))
                Issue.record("bad JSON accepted")
            } catch {
                #expect(error.code == .invalidArgument)
            }
            try FileManager.default.removeItem(atPath: file)
            await test.host.unload(file: file, reason: "test removal", drainTimeout: .seconds(5))
            #expect(test.host.retainedImages.count == 1)
            #expect(test.host.retainedImages.unloaded == 0)
            #expect(test.host.events.events(kinds: [.instanceDestroyed]).first?.reason.contains("Swift image stays mapped") == true)
        }
    }

    @Test func aSwiftKitPluginServesTheSameFromItsOwnProcess() async throws {
        try await TestHost.with({ $0.isolation.defaultMode = .process }) { test in
            let file = try install("EchoSwiftPlugin", into: test, as: "echo_swift.so")
            let report = await test.host.load(file: file)
            #expect(report.state == .loaded, "\(report.error?.description ?? "")")
            #expect(report.isolation?.process?.state == .running)
            #expect(report.linksSwiftRuntime == true, "the child says what it mapped")
            let echo = SlotKey(domain: "adapter", category: "echo")
            // The kit's async methods answer (and set errors) from other threads of the child.
            for index in 0..<50 {
                let upper = try await test.host.invoker.invoke(.slot(echo), method: "upper", payload: Array(#"{"text":"hello \#(index)"}"#.utf8))
                #expect(upper.body.text == #"{"text":"HELLO \#(index)"}"#)
            }
            do throws(InvocationError) {
                _ = try await test.host.invoker.invoke(.slot(echo), method: "upper", payload: Array(#"{"text":5}"#.utf8), checksInput: false)
                Issue.record("a number accepted as text")
            } catch {
                #expect(error.code == .invalidArgument, "\(error)")
                #expect(!error.message.isEmpty)
            }
            // Retiring it ends its process; nothing stays mapped in the host.
            try FileManager.default.removeItem(atPath: file)
            await test.host.unload(file: file, reason: "test removal", drainTimeout: .seconds(5))
            #expect(test.host.retainedImages.count == 0)
            #expect(test.host.events.events(kinds: [.instanceDestroyed]).first?.reason.contains("its isolated process ended") == true)
        }
    }

    @Test func pluginEmbeddingItsOwnNIOTalksToTheHostsNIOServer() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let server = try await ServerBootstrap(group: group)
            .childChannelInitializer { channel in channel.pipeline.addHandler(LineEchoHandler()) }
            .bind(host: "127.0.0.1", port: 0).get()
        let port = try #require(server.localAddress?.port)

        try await TestHost.with { test in
            let report = await test.host.load(file: try install("NIOLoopbackPlugin", into: test, as: "nio.so"))
            #expect(report.state == .loaded, "\(report.error?.description ?? "")")
            let slot = SlotKey(domain: "adapter", category: "nettest")
            for index in 0..<20 {
                let payload = Array(#"{"port":\#(port),"message":"ping \#(index)"}"#.utf8)
                let response = try await test.host.invoker.invoke(.slot(slot), method: "roundtrip", payload: payload)
                #expect(response.body.text.contains(#""reply":"echo: ping \#(index)""#), "\(response.body.text)")
            }
        }
        try await server.close()
        try await group.shutdownGracefully()
    }
}

/// Answers each line with `echo: <line>`.
final class LineEchoHandler: ChannelInboundHandler, Sendable {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var buffer = unwrapInboundIn(data)
        guard let text = buffer.readString(length: buffer.readableBytes) else { return }
        for line in text.split(separator: "\n") {
            let reply = context.channel.allocator.buffer(string: "echo: \(line)\n")
            context.write(wrapOutboundOut(reply), promise: nil)
        }
        context.flush()
    }
}
