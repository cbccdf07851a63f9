import Synchronization

/// The registry's circuit breaker: `threshold` consecutive failed calls open it; while open,
/// calls do not go out (the client answers from the cache or the host's registry at once);
/// after `cooldown` one trial call goes out, and its outcome closes or reopens it.
final class RegistryBreaker: Sendable {
    enum State: Sendable, Equatable {
        case closed(failures: Int)
        case open(until: ContinuousClock.Instant, failures: Int)
        case halfOpen(trialInFlight: Bool)
    }

    let threshold: Int
    let cooldown: Duration
    private let state = Mutex<State>(.closed(failures: 0))

    init(threshold: Int, cooldown: Duration) {
        self.threshold = threshold
        self.cooldown = cooldown
    }

    /// Whether a call may go out now (taking the one trial when half-open).
    func admit() -> Bool {
        let now = ContinuousClock.now
        return state.withLock { state in
            switch state {
            case .closed: return true
            case .open(let until, _):
                guard now >= until else { return false }
                state = .halfOpen(trialInFlight: true)
                return true
            case .halfOpen(let trialInFlight):
                guard !trialInFlight else { return false }
                state = .halfOpen(trialInFlight: true)
                return true
            }
        }
    }

    /// The registry answered (whatever it said).
    func recordSuccess() {
        state.withLock { $0 = .closed(failures: 0) }
    }

    /// The registry could not answer; true when this opened the breaker.
    @discardableResult
    func recordFailure() -> Bool {
        let now = ContinuousClock.now
        return state.withLock { state in
            switch state {
            case .closed(let failures):
                guard failures + 1 >= threshold else {
                    state = .closed(failures: failures + 1)
                    return false
                }
                state = .open(until: now + cooldown, failures: failures + 1)
                return true
            case .halfOpen:
                state = .open(until: now + cooldown, failures: threshold)
                return true
            case .open(let until, let failures):
                state = .open(until: until, failures: failures + 1)
                return false
            }
        }
    }

    /// "closed", "open for 12.3 s more after 5 consecutive failures", "half-open".
    var description: String {
        let now = ContinuousClock.now
        return state.withLock { state in
            switch state {
            case .closed: "closed"
            case .open(let until, let failures):
                "open for \(max(0, Double((until - now).components.seconds) + Double((until - now).components.attoseconds) / 1e18).formatted1) s more after \(failures) consecutive failures"
            case .halfOpen: "half-open (one trial call)"
            }
        }
    }

    var isOpen: Bool {
        state.withLock { if case .open = $0 { true } else { false } }
    }
}

extension Double {
    /// One decimal, without Foundation.
    var formatted1: String {
        let tenths = (self * 10).rounded()
        return "\(Int(tenths) / 10).\(abs(Int(tenths)) % 10)"
    }
}
