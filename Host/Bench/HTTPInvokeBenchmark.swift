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
        let ratioBar = "caphost ≥ 0.8 × the plain Hummingbird echo, median of the rounds' ratios"
        let measures = "wrk -t2 -c64 POST /v1/invoke/adapter/bench/echo (no-op C plugin, token, schema check, guarded call) on a release caphost serve; reference: a plain Hummingbird POST route echoing its body, in this process; rounds alternate which goes first"
        /// The round with the median caphost throughput, and likewise for the reference.
        let caphost: WrkRun
        let reference: WrkRun
        /// Median of the rounds' caphost / reference throughput.
        let ratio: Double
        let rounds: [Round]
        let pass: Bool
        let ratioPass: Bool
    }

    /// One caphost run and one reference run, back to back.
    struct Round: Encodable {
        let caphostRequestsPerSecond: Double
        let referenceRequestsPerSecond: Double
        let ratio: Double
    }

    /// Rounds of caphost and reference runs: one run of each on this shared, noisy machine
    /// gave ratios anywhere from 0.6 to 0.9.
    static let roundCount = 3

    static func run(_ context: BenchContext) async throws(BenchError) -> Figure {
        let seconds = context.options.httpSeconds
        let directory = context.workspace.root + "/http"
        let serve = try await context.serveNoopPlugin(in: "http")
        defer { serve.stop() }
        let runs = try await withReferenceServer { url throws(BenchError) -> [(caphost: WrkRun, reference: WrkRun)] in
            var runs: [(caphost: WrkRun, reference: WrkRun)] = []
            for round in 0..<roundCount {
                func caphostRun() throws(BenchError) -> WrkRun {
                    try WrkRun.run(url: serve.baseURL + "/v1/invoke/adapter/bench/echo", body: body,
                                   headers: ["Authorization": "Bearer \(serve.token)", "Content-Type": "application/json"],
                                   threads: 2, connections: 64, seconds: seconds, scriptDirectory: directory)
                }
                func referenceRun() throws(BenchError) -> WrkRun {
                    try WrkRun.run(url: url, body: body, headers: ["Content-Type": "application/json"],
                                   threads: 2, connections: 64, seconds: seconds, scriptDirectory: directory)
                }
                if round % 2 == 0 {
                    let caphost = try caphostRun()
                    runs.append((caphost, try referenceRun()))
                } else {
                    let reference = try referenceRun()
                    runs.append((try caphostRun(), reference))
                }
            }
            return runs
        }
        if let failed = runs.first(where: { $0.caphost.non2xx != 0 }) {
            throw BenchError("caphost answered \(failed.caphost.non2xx) non-2xx responses under wrk")
        }
        let measured = runs.map { Round(caphostRequestsPerSecond: $0.caphost.requestsPerSecond, referenceRequestsPerSecond: $0.reference.requestsPerSecond,
                                      ratio: SampleSummary.rounded($0.caphost.requestsPerSecond / max($0.reference.requestsPerSecond, 1), decimals: 2)) }
        let caphost = runs.map { $0.caphost }.sorted { $0.requestsPerSecond < $1.requestsPerSecond }[runs.count / 2]
        let reference = runs.map { $0.reference }.sorted { $0.requestsPerSecond < $1.requestsPerSecond }[runs.count / 2]
        let ratio = measured.map { $0.ratio }.sorted()[measured.count / 2]
        return Figure(caphost: caphost, reference: reference, ratio: ratio, rounds: measured,
                      pass: caphost.requestsPerSecond >= 20_000, ratioPass: ratio >= 0.8)
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
