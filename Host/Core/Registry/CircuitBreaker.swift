/// A provider's circuit breaker: opens after `threshold` consecutive failures,
/// half-opens after a cool-down so one trial call can close it again.
struct CircuitBreaker: Sendable {
    enum State: Sendable, Equatable {
        case closed
        case open(since: ContinuousClock.Instant, wallClock: WallClockTime, failures: Int)
        case halfOpen(since: ContinuousClock.Instant)
    }

    private(set) var state: State = .closed
    private(set) var openings = 0
    /// What opened it when that was not a run of failed calls (an isolated process that ended).
    private(set) var cause: String?

    var isOpen: Bool { if case .open = state { true } else { false } }
    var isHalfOpen: Bool { if case .halfOpen = state { true } else { false } }

    /// Opens the breaker (from closed or half-open). Returns false when it was open already.
    mutating func trip(failures: Int, now: ContinuousClock.Instant) -> Bool {
        if isOpen { return false }
        state = .open(since: now, wallClock: .now, failures: failures)
        cause = nil
        openings += 1
        return true
    }

    /// Opens the breaker for `cause` at once (an isolated process ended); an open breaker
    /// takes the newer cause. Returns false when it was open already.
    mutating func trip(cause: String, now: ContinuousClock.Instant) -> Bool {
        let wasOpen = isOpen
        if !wasOpen {
            state = .open(since: now, wallClock: .now, failures: 0)
            openings += 1
        }
        self.cause = cause
        return !wasOpen
    }

    /// Half-opens an open breaker now (its isolated process serves again). Returns true on the transition.
    mutating func halfOpen(now: ContinuousClock.Instant) -> Bool {
        guard isOpen else { return false }
        state = .halfOpen(since: now)
        cause = nil
        return true
    }

    /// Half-opens an open breaker whose cool-down has passed. Returns true on the transition.
    mutating func halfOpenIfDue(coolDown: Duration, now: ContinuousClock.Instant) -> Bool {
        guard case .open(let since, _, _) = state, now - since >= coolDown else { return false }
        state = .halfOpen(since: now)
        cause = nil
        return true
    }

    /// Closes the breaker after a success. Returns true when it was not closed.
    mutating func close() -> Bool {
        if state == .closed { return false }
        state = .closed
        cause = nil
        return true
    }

    /// The operator-facing state name.
    var name: String {
        switch state {
        case .closed: "closed"
        case .open: "open"
        case .halfOpen: "half-open"
        }
    }
}
