import CCapHostSupport
import Foundation

/// Fires the timeouts of guarded calls from one thread that ticks while calls
/// are in flight and for a second after the last one (so steady traffic never
/// has to wake it), then sleeps. Cheaper per call than a libdispatch timer,
/// which costs a wake-up of dispatch's manager thread for every call that is
/// armed. Precision is one tick (5 ms): a timeout fires between its deadline
/// and one tick after it. Each tick also lets the watched call pools replace
/// threads held by slow or hung calls (`CallThreadPool.rebalance`).
final class DeadlineWatchdog: @unchecked Sendable {
    static let shared = DeadlineWatchdog()
    static let tickNanoseconds: UInt64 = 5_000_000
    /// Ticks without a deadline or a pool's call before the thread sleeps.
    static let idleTicks = 200

    private struct Entry {
        let deadline: UInt64
        let call: any DeadlineTimed
    }

    private let condition = NSCondition()
    private var entries: [UInt64: Entry] = [:]
    private var nextID: UInt64 = 0
    private var started = false
    private var sleeping = false
    /// Pools whose stalls the ticks look for (see `CallThreadPool.rebalance`).
    private var pools: [WeakPool] = []

    private struct WeakPool {
        weak var pool: CallThreadPool?
    }

    /// Checks `pool` for stalls on every tick.
    func watch(_ pool: CallThreadPool) {
        condition.lock()
        pools.removeAll { $0.pool == nil }
        pools.append(WeakPool(pool: pool))
        condition.unlock()
    }

    /// Tells `call` once CLOCK_MONOTONIC passes `deadline` (nanoseconds), unless
    /// `cancel` comes first. Returns the id to cancel with.
    func schedule(deadline: UInt64, _ call: any DeadlineTimed) -> UInt64 {
        condition.lock()
        defer { condition.unlock() }
        nextID += 1
        entries[nextID] = Entry(deadline: deadline, call: call)
        if !started {
            started = true
            // Named from inside: on Linux a thread otherwise keeps the name of the
            // thread that started it (a call thread's, which misleads `top -H`).
            Thread { [self] in
                caphost_set_thread_name("caphost-deadlines")
                run()
            }.start()
        } else if sleeping {
            sleeping = false
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
        var idle = 0
        while true {
            condition.lock()
            let watched = pools
            condition.unlock()
            // Pools with calls need their ticks even when no deadline is pending:
            // a call that overran its deadline may hold its thread for good.
            let poolsBusy = watched.contains { $0.pool?.hasCalls ?? false }
            condition.lock()
            idle = entries.isEmpty && !poolsBusy ? idle + 1 : 0
            if idle > Self.idleTicks {
                sleeping = true
                while sleeping { condition.wait() }
                idle = 0
            }
            let now = caphost_monotonic_ns()
            var due: [Entry] = []
            for (id, entry) in entries where entry.deadline <= now {
                due.append(entry)
                entries[id] = nil
            }
            condition.unlock()
            for entry in due { entry.call.deadlinePassed() }
            for weak in watched { weak.pool?.rebalance() }
            usleep(useconds_t(Self.tickNanoseconds / 1000))
        }
    }
}

/// Something with a deadline the watchdog keeps (a guarded call).
protocol DeadlineTimed: AnyObject, Sendable {
    /// The deadline passed before the watchdog was told to forget it.
    func deadlinePassed()
}
