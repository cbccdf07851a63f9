import Metrics
import Synchronization

extension Invoker {
    /// The latency histogram of guarded calls (every call from the HTTP API,
    /// MCP, workflows and durable deliveries), per capability, provider and
    /// outcome. The synchronous in-process path stays uninstrumented: its
    /// calls are counted in the candidates' stripes and cost ~30 ns, less than
    /// one histogram update.
    func recordDuration(site: CallSite, provider: CapabilityID?, outcome: String, nanoseconds: UInt64) {
        durationTimer(DurationLabels(capability: site.slot.key, provider: provider, outcome: outcome))
            .recordNanoseconds(Int64(clamping: nanoseconds))
    }

    /// The same for a call that `candidate` answered: its timer is found by the
    /// candidate's identity (candidates live as long as the host), without
    /// hashing the label strings on every call.
    func recordSuccess(of candidate: Candidate, nanoseconds: UInt64) {
        let key = ObjectIdentifier(candidate)
        let timer = successTimers.withLock { $0[key] } ?? {
            let timer = durationTimer(DurationLabels(capability: candidate.id.slot, provider: candidate.id, outcome: "ok"))
            successTimers.withLock { $0[key] = timer }
            return timer
        }()
        timer.recordNanoseconds(Int64(clamping: nanoseconds))
    }

    /// Timers are made once per label set and host (after the metrics system
    /// was bootstrapped): the metrics factory's lookup costs more than the
    /// recording itself.
    private func durationTimer(_ labels: DurationLabels) -> Timer {
        if let timer = durationTimers.withLock({ $0[labels] }) { return timer }
        let timer = Timer(label: "caphost_invocation_duration_seconds",
                          dimensions: [("capability", labels.capability.description),
                                       ("provider", labels.provider?.description ?? "none"), ("outcome", labels.outcome)])
        durationTimers.withLock { $0[labels] = timer }
        return timer
    }
}

/// The label set of one guarded-call latency histogram.
struct DurationLabels: Hashable, Sendable {
    let capability: SlotKey
    let provider: CapabilityID?
    let outcome: String
}
