import Metrics
import Synchronization

extension Invoker {
    /// The latency histogram of guarded calls (every call from the HTTP API,
    /// MCP, workflows and durable deliveries), per capability, provider and
    /// outcome. The synchronous in-process path stays uninstrumented: its
    /// calls are counted in the candidates' stripes and cost ~30 ns, less than
    /// one histogram update.
    func recordDuration(of result: Result<InvocationResponse, InvocationError>, site: CallSite, nanoseconds: UInt64) {
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
        durationTimer(capability: site.slot.key.description, provider: provider, outcome: outcome)
            .recordNanoseconds(Int64(clamping: nanoseconds))
    }

    /// Timers are made once per label set and host (after the metrics system
    /// was bootstrapped): the metrics factory's lookup costs more than the
    /// recording itself.
    private func durationTimer(capability: String, provider: String, outcome: String) -> Timer {
        let key = "\(provider)|\(outcome)|\(capability)"
        if let timer = durationTimers.withLock({ $0[key] }) { return timer }
        let timer = Timer(label: "caphost_invocation_duration_seconds",
                          dimensions: [("capability", capability), ("provider", provider), ("outcome", outcome)])
        durationTimers.withLock { $0[key] = timer }
        return timer
    }
}
