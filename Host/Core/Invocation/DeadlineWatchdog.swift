import CCapHostSupport
import Foundation

/// Fires the timeouts of guarded calls from one thread that ticks only while
/// calls are in flight. Cheaper per call than a libdispatch timer, which costs
/// a wake-up of dispatch's manager thread for every call that is armed.
/// Precision is one tick (5 ms): a timeout fires between its deadline and one
/// tick after it.
final class DeadlineWatchdog: @unchecked Sendable {
    static let shared = DeadlineWatchdog()
    static let tickNanoseconds: UInt64 = 5_000_000

    private struct Entry {
        let deadline: UInt64
        let fire: @Sendable () -> Void
    }

    private let condition = NSCondition()
    private var entries: [UInt64: Entry] = [:]
    private var nextID: UInt64 = 0
    private var started = false

    /// Runs `fire` once CLOCK_MONOTONIC passes `deadline` (nanoseconds), unless
    /// `cancel` comes first. Returns the id to cancel with.
    func schedule(deadline: UInt64, _ fire: @escaping @Sendable () -> Void) -> UInt64 {
        condition.lock()
        defer { condition.unlock() }
        nextID += 1
        entries[nextID] = Entry(deadline: deadline, fire: fire)
        if !started {
            started = true
            let thread = Thread { [self] in run() }
            thread.name = "caphost-deadlines"
            thread.start()
        } else if entries.count == 1 {
            condition.signal()
        }
        return nextID
    }

    /// Forgets a deadline whose call finished in time.
    func cancel(_ id: UInt64) {
        condition.lock()
        entries[id] = nil
        condition.unlock()
    }

    private func run() {
        while true {
            condition.lock()
            while entries.isEmpty { condition.wait() }
            let now = caphost_monotonic_ns()
            var due: [Entry] = []
            for (id, entry) in entries where entry.deadline <= now {
                due.append(entry)
                entries[id] = nil
            }
            condition.unlock()
            for entry in due { entry.fire() }
            usleep(useconds_t(Self.tickNanoseconds / 1000))
        }
    }
}
