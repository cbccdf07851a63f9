import Metrics

extension Invoker {
    /// The latency histogram of guarded calls (every call from the HTTP API,
    /// MCP, workflows and durable deliveries), per capability, provider and
    /// outcome. The synchronous in-process path stays uninstrumented: its
    /// calls are counted in the candidates' stripes and cost ~30 ns, less than
    /// one histogram update.
    static func recordDuration(of result: Result<InvocationResponse, InvocationError>, site: CallSite, nanoseconds: UInt64) {
        let provider: String
        let outcome: String
        switch result {
        case .success(let response):
            provider = response.provider.description
            outcome = "ok"
        case .failure(let error):
            provider = error.provider?.description ?? "none"
            outcome = error.code.rawValue
        }
        Timer(label: "caphost_invocation_duration_seconds",
              dimensions: [("capability", site.slot.key.description), ("provider", provider), ("outcome", outcome)])
            .recordNanoseconds(Int64(clamping: nanoseconds))
    }
}
