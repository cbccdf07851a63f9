import Synchronization

/// Tasks waiting for deliveries to finish (delivered or dead), by delivery id.
///
/// A waiter arms before it looks at the journal and waits after, so an end
/// that lands between the look and the wait is never missed: `finished(_:)`
/// marks an armed ticket fired, and `wait` on a fired ticket returns at once.
final class DeliveryWaiters: Sendable {
    /// One armed wait.
    struct Ticket: Hashable, Sendable {
        let id: String
        let number: UInt64
    }

    /// How a wait ended.
    enum Wake: Sendable {
        /// The delivery finished (or may have: look again).
        case finished
        /// The engine is stopping; the delivery stays journaled.
        case stopping
    }

    private struct Armed {
        var wake: Wake?
        var continuation: CheckedContinuation<Wake, Never>?
    }

    private struct State {
        var next: UInt64 = 0
        var armed: [Ticket: Armed] = [:]
        var stopping = false
    }

    private let state = Mutex(State())

    /// Arms a wait for `id`; pair it with `wait` or `disarm`.
    func arm(_ id: String) -> Ticket {
        state.withLock { state in
            state.next += 1
            let ticket = Ticket(id: id, number: state.next)
            state.armed[ticket] = Armed(wake: state.stopping ? .stopping : nil)
            return ticket
        }
    }

    /// Forgets `ticket` without waiting.
    func disarm(_ ticket: Ticket) {
        _ = state.withLock { $0.armed.removeValue(forKey: ticket) }
    }

    /// Waits until `ticket`'s delivery finishes or the engine stops (at once
    /// when either happened since `arm`); the ticket is spent.
    func wait(_ ticket: Ticket) async -> Wake {
        await withCheckedContinuation { (continuation: CheckedContinuation<Wake, Never>) in
            let ready = state.withLock { state -> Wake? in
                guard let armed = state.armed[ticket] else { return .finished }
                if let wake = armed.wake {
                    state.armed[ticket] = nil
                    return wake
                }
                state.armed[ticket]?.continuation = continuation
                return nil
            }
            if let ready { continuation.resume(returning: ready) }
        }
    }

    /// Wakes every wait armed for `id`.
    func finished(_ id: String) {
        wake(where: { $0.id == id }, with: .finished)
    }

    /// Wakes every wait with `.stopping`, and arms later ones already woken.
    func stop() {
        state.withLock { $0.stopping = true }
        wake(where: { _ in true }, with: .stopping)
    }

    private func wake(where matches: (Ticket) -> Bool, with wake: Wake) {
        let woken = state.withLock { state -> [CheckedContinuation<Wake, Never>] in
            var woken: [CheckedContinuation<Wake, Never>] = []
            for (ticket, armed) in state.armed where matches(ticket) {
                if let continuation = armed.continuation {
                    woken.append(continuation)
                    state.armed[ticket] = nil
                } else if armed.wake == nil {
                    state.armed[ticket]?.wake = wake
                }
            }
            return woken
        }
        for continuation in woken { continuation.resume(returning: wake) }
    }
}
