@preconcurrency import Foundation
import Synchronization

/// Threads of the host's own on which plugin code runs when the caller must
/// not block: Swift's cooperative pool (two threads on a two-core machine) is
/// never lent to a plugin. A call that hangs keeps its thread; the pool grows
/// to replace it, up to `maximumThreads`.
///
/// The lock is held only to move a job in or out of the queue, and a sleeping
/// thread is woken after the lock is released (a thread woken while the
/// submitter still holds it would only block again on the lock).
final class CallThreadPool: @unchecked Sendable {
    typealias Job = @Sendable () -> Void

    private let condition = NSCondition()
    private var jobs: [Job] = []
    private var head = 0
    private var idle = 0
    /// Threads looking for work without sleeping (see `run`).
    private var spinning = 0
    /// Jobs queued, readable without the lock by a spinning thread.
    private let queued = Atomic<Int>(0)
    private var threads = 0
    let maximumThreads: Int
    let name: String

    /// How many times an idle thread yields the core before it sleeps.
    static let spinRounds = 64

    init(name: String, maximumThreads: Int) {
        self.name = name
        self.maximumThreads = maximumThreads
    }

    /// Queues `job`. Returns false when the pool is at its thread limit with
    /// every thread busy and `refuseWhenSaturated` is set.
    @discardableResult
    func submit(refuseWhenSaturated: Bool = false, _ job: @escaping Job) -> Bool {
        condition.lock()
        if idle == 0 && threads >= maximumThreads && refuseWhenSaturated {
            condition.unlock()
            return false
        }
        jobs.append(job)
        // Jobs queued beyond the threads looking for work: one more thread, if the limit allows.
        let waiting = jobs.count - head
        queued.store(waiting, ordering: .releasing)
        let wakes = idle > 0 && waiting > spinning
        var startsThread = false
        if waiting > idle + spinning && threads < maximumThreads {
            threads += 1
            startsThread = true
        }
        let id = threads
        condition.unlock()
        if startsThread {
            let thread = Thread { [self] in run() }
            thread.name = "\(name)-\(id)"
            thread.start()
        } else if wakes {
            condition.signal()
        }
        return true
    }

    var threadCount: Int {
        condition.lock()
        defer { condition.unlock() }
        return threads
    }

    private func run() {
        condition.lock()
        while true {
            if head == jobs.count {
                // Under load the next call comes within microseconds: look for it a
                // little while, yielding the core, before sleeping (a sleep costs the
                // submitter a futex wake and this thread a context switch).
                spinning += 1
                condition.unlock()
                for _ in 0..<Self.spinRounds where queued.load(ordering: .acquiring) == 0 { sched_yield() }
                condition.lock()
                spinning -= 1
            }
            while head == jobs.count {
                idle += 1
                condition.wait()
                idle -= 1
            }
            let job = jobs[head]
            head += 1
            queued.store(jobs.count - head, ordering: .relaxed)
            if head == jobs.count {
                jobs.removeAll(keepingCapacity: true)
                head = 0
            } else if head > 1024 && head * 2 > jobs.count {
                jobs.removeFirst(head)
                head = 0
            }
            condition.unlock()
            job()
            condition.lock()
        }
    }

    /// Runs `work` on the pool and waits for it up to `timeout`. Returns nil on
    /// timeout; the work keeps its thread until it returns.
    func run<T: Sendable>(timeout: Duration, _ work: @escaping @Sendable () -> T) async -> T? {
        await withCheckedContinuation { (continuation: CheckedContinuation<T?, Never>) in
            let gate = ResumeGate()
            nonisolated(unsafe) let timer = DispatchWorkItem {
                if gate.claim() { continuation.resume(returning: nil) }
            }
            submit {
                let value = work()
                timer.cancel()
                if gate.claim() { continuation.resume(returning: value) }
            }
            DispatchQueue.global().asyncAfter(deadline: .now() + timeout.timeInterval, execute: timer)
        }
    }
}

/// A one-shot latch deciding who resumes a waiter: the worker (with the result)
/// or the timer (with a timeout). The first claim wins and is remembered.
final class ResumeGate: Sendable {
    enum Party: Int { case worker = 1, timer = 2 }
    private let owner = Atomic<Int>(0)

    /// Claims the gate for `party`; true if `party` owns it now (won now or before).
    func claim(as party: Party) -> Bool {
        let (exchanged, current) = owner.compareExchange(expected: 0, desired: party.rawValue, ordering: .acquiringAndReleasing)
        return exchanged || current == party.rawValue
    }

    /// Claims the gate for whoever asks first (both sides call the same thing).
    func claim() -> Bool { owner.compareExchange(expected: 0, desired: 1, ordering: .acquiringAndReleasing).exchanged }
}

extension Duration {
    /// Seconds as a `TimeInterval`.
    var timeInterval: TimeInterval {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }

    /// Whole nanoseconds.
    var nanoseconds: Int64 {
        components.seconds * 1_000_000_000 + components.attoseconds / 1_000_000_000
    }
}
