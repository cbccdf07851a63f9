import CCapHostSupport
import Synchronization

/// What one guarded call shares between the thread that runs it and the
/// deadline watchdog, in one allocation: the latch that decides who resumes
/// the waiter (the worker with the outcome, or the watchdog with a timeout),
/// the candidate the call leased (for the watchdog's failure count), and the
/// waiter itself. The first claim of the latch wins; the waiter is resumed
/// exactly once, by the winner.
final class GuardedCallState: DeadlineTimed, @unchecked Sendable {
    /// Who resumes the waiter.
    enum Party: Int { case worker = 1, timer = 2 }

    private let owner = Atomic<Int>(0)
    /// The leased candidate, unretained: candidates live as long as the host.
    private let leasedPointer = Atomic<UnsafeMutableRawPointer?>(nil)
    let invoker: Invoker
    let site: CallSite
    /// When the call started (CLOCK_MONOTONIC, ns) and what it was allowed.
    let started: UInt64
    let allowed: Duration
    /// The waiter: set before the call is queued or its deadline armed, so
    /// both sides see it (the queue and the watchdog take a lock in between).
    var waiter: UnsafeContinuation<InvocationError?, Never>?

    init(invoker: Invoker, site: CallSite, started: UInt64, allowed: Duration) {
        self.invoker = invoker
        self.site = site
        self.started = started
        self.allowed = allowed
    }

    /// Claims the latch for `party`; true if `party` owns it now (won now or before).
    func claim(as party: Party) -> Bool {
        let (exchanged, current) = owner.compareExchange(expected: 0, desired: party.rawValue, ordering: .acquiringAndReleasing)
        return exchanged || current == party.rawValue
    }

    /// The candidate the call leased, once it has.
    var leased: Candidate? {
        leasedPointer.load(ordering: .acquiring).map { Unmanaged<Candidate>.fromOpaque($0).takeUnretainedValue() }
    }

    /// Records the candidate the call leased.
    func lease(_ candidate: Candidate) {
        leasedPointer.store(Unmanaged.passUnretained(candidate).toOpaque(), ordering: .releasing)
    }

    /// Resumes the waiter with `outcome` (nil: the response was delivered) and
    /// records the call's duration, unless the watchdog resumed it already.
    func finish(_ outcome: InvocationError?) {
        guard claim(as: .worker) else { return }
        let elapsed = caphost_monotonic_ns() &- started
        if outcome == nil, let candidate = leased {
            invoker.recordSuccess(of: candidate, nanoseconds: elapsed)
        } else {
            invoker.recordDuration(site: site, provider: outcome?.provider, outcome: outcome?.code.rawValue ?? "ok", nanoseconds: elapsed)
        }
        waiter?.resume(returning: outcome)
    }

    /// The deadline passed before the worker claimed the latch: the waiter gets
    /// TIMEOUT now, the leased candidate a failure; the plugin keeps its thread.
    func deadlinePassed() {
        guard claim(as: .timer) else { return }
        let candidate = leased
        if let candidate {
            let stripeIndex = Int(caphost_thread_stripe() & UInt32(CAPHOST_STRIPES - 1))
            invoker.recordFailure(candidate, stripe: candidate.stripe(stripeIndex), timedOut: true)
        }
        invoker.recordDuration(site: site, provider: candidate?.id, outcome: InvocationError.Code.timeout.rawValue,
                               nanoseconds: caphost_monotonic_ns() &- started)
        // An isolated plugin's process is killed at the same deadline; an in-process call cannot be stopped.
        let fate = candidate?.instance.image.isolated != nil
            ? "its isolated process is killed at the deadline and restarts"
            : "the call was abandoned (its thread stays with the plugin until it returns)"
        waiter?.resume(returning: InvocationError(code: .timeout,
            message: "\(candidate?.id.description ?? site.reference.description) \(site.method) did not answer within \(allowed); \(fate)",
            provider: candidate?.id, pluginStatus: .timeout))
    }
}
