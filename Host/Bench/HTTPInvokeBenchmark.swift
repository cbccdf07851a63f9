import Foundation
import Hummingbird
import Logging
import ServiceLifecycle

/// SPEC §7: HTTP invoke of a no-op capability with wrk on loopback, against a
/// plain Hummingbird route that echoes its body, measured in the same run.
struct HTTPInvokeBenchmark {
    static let body = #"{"ping":1}"#

    struct Figure: Encodable {
        let bar = "≥ 20000 req/s on 2 cores"
        let measures = "wrk -t2 -c64 POST /v1/invoke/adapter/bench/echo (no-op C plugin, token, schema check, guarded call) on a release caphost serve; reference: a plain Hummingbird POST route echoing its body, in this process"
        let caphost: WrkRun
        let reference: WrkRun
        /// caphost / reference throughput.
        let ratio: Double
        let pass: Bool
    }

    static func run(_ context: BenchContext) async throws(BenchError) -> Figure {
        let seconds = context.options.httpSeconds
        let directory = context.workspace.root + "/http"
        let serve = try await context.serveNoopPlugin(in: "http")
        defer { serve.stop() }
        let caphost = try WrkRun.run(url: serve.baseURL + "/v1/invoke/adapter/bench/echo", body: body,
                                     headers: ["Authorization": "Bearer \(serve.token)", "Content-Type": "application/json"],
                                     threads: 2, connections: 64, seconds: seconds, scriptDirectory: directory)
        let reference = try await withReferenceServer { url throws(BenchError) in
            try WrkRun.run(url: url, body: body, headers: ["Content-Type": "application/json"],
                           threads: 2, connections: 64, seconds: seconds, scriptDirectory: directory)
        }
        guard caphost.non2xx == 0 else { throw BenchError("caphost answered \(caphost.non2xx) non-2xx responses under wrk") }
        return Figure(caphost: caphost, reference: reference,
                      ratio: SampleSummary.rounded(caphost.requestsPerSecond / max(reference.requestsPerSecond, 1), decimals: 2),
                      pass: caphost.requestsPerSecond >= 20_000)
    }

    /// Runs `body` with a plain Hummingbird server (POST /echo returns the request body) on loopback.
    static func withReferenceServer<T>(_ body: (String) async throws(BenchError) -> T) async throws(BenchError) -> T {
        let router = Router()
        router.post("echo") { request, _ -> Response in
            let bytes = try await request.body.collect(upTo: 1 << 20)
            return Response(status: .ok, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: bytes))
        }
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let quiet = Logger(label: "bench.reference") { _ in SwiftLogNoOpLogHandler() }
        let application = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                                      onServerRunning: { channel in
                                          continuation.yield(channel.localAddress?.port ?? 0)
                                          continuation.finish()
                                      }, logger: quiet)
        let group = ServiceGroup(services: [application], logger: quiet)
        let running = Task { try await group.run() }
        var port = 0
        for await bound in ports { port = bound }
        do {
            let value = try await body("http://127.0.0.1:\(port)/echo")
            await group.triggerGracefulShutdown()
            _ = try? await running.value
            return value
        } catch {
            await group.triggerGracefulShutdown()
            _ = try? await running.value
            throw error
        }
    }
}
