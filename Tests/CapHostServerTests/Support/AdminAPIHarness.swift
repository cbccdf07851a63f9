import AsyncHTTPClient
import CapHostCore
import CapHostMCP
import CapHostServer
import CapHostTestSupport
import Foundation
import Hummingbird
import Logging
import NIOCore
import NIOHTTP1
import ServiceLifecycle
import Synchronization

/// A real admin API on 127.0.0.1 (ephemeral port) over a real host, and an
/// HTTP client to talk to it. `stop()` shuts both down.
final class AdminAPIHarness: @unchecked Sendable {
    let testHost: TestHost
    let token: APIToken
    let streams = EventStreams()
    let baseURL: String
    let client = HTTPClient(eventLoopGroupProvider: .singleton)
    private let serviceGroup: ServiceGroup
    private let running: Task<Void, any Error>
    private let stopped = Mutex(false)

    var host: CapabilityHost { testHost.host }

    /// MCP at `/mcp`, when the harness was made with `mcp:`.
    let mcpServer: MCPServer?
    let mcpEndpoint: MCPHTTPEndpoint?

    /// `prepare` runs on the test host before the server starts (install plugins, start the host).
    init(settings adjust: (inout AdminAPISettings) -> Void = { _ in },
         configure: (inout HostConfiguration) -> Void = { _ in },
         mcp: MCPHTTPEndpoint.Options? = nil,
         prepare: (TestHost) async throws -> Void = { _ in }) async throws {
        testHost = try TestHost(configure)
        try await prepare(testHost)
        if let mcp {
            let server = MCPServer(host: testHost.host, logger: Logger(label: "test.mcp") { _ in SwiftLogNoOpLogHandler() })
            server.start()
            mcpServer = server
            mcpEndpoint = MCPHTTPEndpoint(server: server, options: mcp)
        } else {
            mcpServer = nil
            mcpEndpoint = nil
        }
        token = try APIToken.loadOrCreate(stateDirectory: testHost.stateDirectory)
        var settings = AdminAPISettings()
        settings.port = 0
        settings.keepAliveInterval = .milliseconds(200)
        adjust(&settings)
        let metrics = HostMetricsCollector(host: testHost.host)
        let readiness = Readiness()
        readiness.markReady()
        let parts = AdminServer.Parts(host: testHost.host, settings: settings, token: token, readiness: readiness,
                                      streams: streams, metrics: metrics, mcp: mcpEndpoint)
        let (ports, portContinuation) = AsyncStream<Int>.makeStream()
        let application = try AdminServer.application(parts, logger: Logger(label: "test.admin") { _ in SwiftLogNoOpLogHandler() }) { port in
            portContinuation.yield(port)
            portContinuation.finish()
        }
        serviceGroup = ServiceGroup(services: [application], logger: Logger(label: "test.group") { _ in SwiftLogNoOpLogHandler() })
        let group = serviceGroup
        running = Task { try await group.run() }
        var port = 0
        for await bound in ports { port = bound }
        baseURL = "http://127.0.0.1:\(port)"
    }

    /// Runs `body` with a server made as `init` makes it, and stops the server and its host
    /// afterwards, whether `body` returned or threw.
    static func with<T>(settings adjust: (inout AdminAPISettings) -> Void = { _ in },
                        configure: (inout HostConfiguration) -> Void = { _ in },
                        mcp: MCPHTTPEndpoint.Options? = nil,
                        prepare: (TestHost) async throws -> Void = { _ in },
                        _ body: (AdminAPIHarness) async throws -> T) async throws -> T {
        try await withStopping(try await AdminAPIHarness(settings: adjust, configure: configure, mcp: mcp, prepare: prepare),
                               stop: { await $0.stop() }, body)
    }

    /// `with` over two providers of adapter:bench: alpha (priority 10, active) and beta (5).
    static func withTwoProviders<T>(_ body: (AdminAPIHarness) async throws -> T) async throws -> T {
        try await with(prepare: { test in
            try await test.load("noop.c", as: "libalpha.so", defines: providerDefines(name: "alpha", provider: "alpha", priority: 10))
            try await test.load("noop.c", as: "libbeta.so", defines: providerDefines(name: "beta", provider: "beta", priority: 5))
        }, body)
    }

    /// Sends a request with the token (unless `authorized` is false) and, for a body, `Content-Type:
    /// application/json` unless `headers` name one; returns status, headers and body.
    func request(_ method: HTTPMethod, _ path: String, body: String? = nil, headers: [(String, String)] = [],
                 authorized: Bool = true, timeout: TimeAmount = .seconds(30)) async throws -> (status: Int, headers: HTTPHeaders, body: [UInt8]) {
        let request = HTTPClientRequest.admin(baseURL + path, method: method, token: authorized ? token.value : nil,
                                              headers: headers, body: body)
        let response = try await client.execute(request, timeout: timeout)
        let bytes = try await response.body.collect(upTo: 64 << 20)
        return (Int(response.status.code), response.headers, Array(bytes.readableBytesView))
    }

    /// The JSON object of a response body.
    func json(_ bytes: [UInt8]) throws -> [String: Any] {
        guard let object = try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any] else {
            throw FixtureError("not a JSON object: \(String(decoding: bytes, as: UTF8.self))")
        }
        return object
    }

    /// Stops the server and the host (once; `with` calls it again after a test that stopped it).
    func stop() async {
        guard stopped.withLock({ let first = !$0; $0 = true; return first }) else { return }
        mcpEndpoint?.closeAllSessions()
        mcpServer?.stop()
        streams.finishAll()
        await serviceGroup.triggerGracefulShutdown()
        _ = try? await running.value
        try? await client.shutdown()
        await testHost.stop()
    }
}
