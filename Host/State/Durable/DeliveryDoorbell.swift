import Synchronization

/// Wakes the delivery dispatcher: a ring while nobody waits is kept (a latch),
/// so a submit that lands between "nothing due" and "wait" is never missed.
final class DeliveryDoorbell: Sendable {
    private struct State {
        var rung = false
        var waiter: CheckedContinuation<Void, Never>?
        /// Tells a timer which wait it belongs to.
        var generation: UInt64 = 0
    }

    private let state = Mutex(State())

    /// Wakes the waiter, or the next one to wait.
    func ring() {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            guard let waiter = state.waiter else {
                state.rung = true
                return nil
            }
            state.waiter = nil
            return waiter
        }
        waiter?.resume()
    }

    /// Returns at the next ring (at once if one is pending) or after `timeout`.
    func wait(timeout: Duration) async {
        let timer = TimerBox()
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let generation = state.withLock { state -> UInt64? in
                if state.rung {
                    state.rung = false
                    return nil
                }
                state.generation &+= 1
                state.waiter = continuation
                return state.generation
            }
            guard let generation else {
                continuation.resume()
                return
            }
            timer.task = Task { [self] in
                guard (try? await Task.sleep(for: timeout)) != nil else { return }
                expire(generation)
            }
        }
        timer.task?.cancel()
    }

    private func expire(_ generation: UInt64) {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            guard state.generation == generation, let waiter = state.waiter else { return nil }
            state.waiter = nil
            return waiter
        }
        waiter?.resume()
    }
}

/// The timeout task of one wait, so the waiter can cancel it once woken.
private final class TimerBox: Sendable {
    private let lock = Mutex<Task<Void, Never>?>(nil)
    var task: Task<Void, Never>? {
        get { lock.withLock { $0 } }
        set { lock.withLock { $0 = newValue } }
    }
}
