import Foundation

/// Durable submits under concurrency: `wrk -c64` POSTs with `Caphost-Durable:
/// true` to a release `caphost serve`; each 202 is an acknowledgement, which
/// means the delivery is on disk (synced). Concurrent submits share commits.
struct DurableSubmitBenchmark {
    struct Figure: Encodable {
        let bar = "≥ 5000 acknowledged/s with 64 concurrent clients"
        let measures = "wrk -t2 -c64 POST /v1/invoke/adapter/bench/echo with Caphost-Durable: true (each 202 journaled with synchronous = FULL, group commit) on a release caphost serve; the deliveries are delivered to the no-op plugin meanwhile"
        let submits: WrkRun
        let acknowledgedPerSecond: Double
        let pass: Bool
    }

    static func run(_ context: BenchContext) async throws(BenchError) -> Figure {
        let directory = context.workspace.root + "/durable"
        let serve = try await context.serveNoopPlugin(in: "durable")
        defer { serve.stop() }
        let submits = try WrkRun.run(url: serve.baseURL + "/v1/invoke/adapter/bench/echo", body: HTTPInvokeBenchmark.body,
                                     headers: ["Authorization": "Bearer \(serve.token)", "Content-Type": "application/json",
                                               "Caphost-Durable": "true"],
                                     threads: 2, connections: 64, seconds: context.options.httpSeconds, scriptDirectory: directory)
        guard submits.non2xx == 0 else { throw BenchError("caphost answered \(submits.non2xx) non-2xx responses to durable submits") }
        return Figure(submits: submits, acknowledgedPerSecond: submits.requestsPerSecond,
                      pass: submits.requestsPerSecond >= 5_000)
    }
}
