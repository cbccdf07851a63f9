#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Wakes one sleeping thread: a latch that stays rung until the sleeper wakes, so a ring that
/// comes before the wait is not lost. Extra rings only cause an extra look at the sleeper's
/// state. Timed waits use `CLOCK_MONOTONIC`, the clock of the header's deadlines.
final class Doorbell: @unchecked Sendable {
    // `rung` is guarded by `mutex`.
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private let condition: UnsafeMutablePointer<pthread_cond_t>
    private var rung = false

    init() {
        mutex = .allocate(capacity: 1)
        pthread_mutex_init(mutex, nil)
        condition = .allocate(capacity: 1)
        pthread_cond_init(condition, Self.monotonicConditionAttributes)
    }

    deinit {
        pthread_cond_destroy(condition)
        condition.deallocate()
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    /// Wakes the sleeper (now, or at its next wait).
    func ring() {
        pthread_mutex_lock(mutex)
        rung = true
        pthread_cond_signal(condition)
        pthread_mutex_unlock(mutex)
    }

    /// Sleeps until rung.
    func wait() {
        pthread_mutex_lock(mutex)
        while !rung {
            pthread_cond_wait(condition, mutex)
        }
        rung = false
        pthread_mutex_unlock(mutex)
    }

    /// Sleeps until rung or until the `CLOCK_MONOTONIC` time; returns false on time-out.
    func wait(untilMonotonicNanoseconds deadline: UInt64) -> Bool {
        var time = timespec(tv_sec: Int(deadline / 1_000_000_000), tv_nsec: Int(deadline % 1_000_000_000))
        pthread_mutex_lock(mutex)
        while !rung {
            if pthread_cond_timedwait(condition, mutex, &time) == ETIMEDOUT { break }
        }
        let wasRung = rung
        rung = false
        pthread_mutex_unlock(mutex)
        return wasRung
    }

    /// Condition attributes that make timed waits use `CLOCK_MONOTONIC`.
    // Written once during lazy initialisation, then only read by pthread_cond_init.
    nonisolated(unsafe) private static let monotonicConditionAttributes: UnsafeMutablePointer<pthread_condattr_t> = {
        let attributes = UnsafeMutablePointer<pthread_condattr_t>.allocate(capacity: 1)
        pthread_condattr_init(attributes)
        #if !canImport(Darwin)
        pthread_condattr_setclock(attributes, CLOCK_MONOTONIC)
        #endif
        return attributes
    }()
}
