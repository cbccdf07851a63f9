@preconcurrency import Foundation
import CCapHostSupport
import Synchronization

/// Threads of the host's own on which plugin code runs when the caller must
/// not block: Swift's cooperative pool (two threads on a two-core machine) is
/// never lent to a plugin. At most `maximumThreads` calls are queued or running
/// at once. Threads are started while fewer than `callThreads` (the cores) are
/// free of blocking work — for slices of tasks, while fewer than `taskThreads`;
/// a call that runs long or hangs keeps its thread, and `rebalance` (the
/// deadline watchdog's tick) starts another when work waits and no thread took
/// any since the last tick.
///
/// The pool is also a `TaskExecutor`: a task that prefers it (the admin API's
/// requests do) runs on these threads, so a guarded call it makes needs no
/// thread switch at all: the task queues the plugin call and suspends, the same
/// thread runs the call, queues the task's continuation and takes it up again.
/// Work queued by a pool thread that is about to be free (`submit(_:kind:)`
/// with `.call` from a pool thread, or anything queued while the thread is
/// marked finishing) does not wake another thread for it.
///
/// The lock is held only to move a job in or out of the queue, and a sleeping
/// thread is woken after the lock is released (a thread woken while the
/// submitter still holds it would only block again on the lock).
final class CallThreadPool: TaskExecutor, @unchecked Sendable {
    typealias Job = @Sendable () -> Void

    /// What a queued job is: a plugin call (counted against `maximumThreads`),
    /// other blocking work, or a slice of a task that prefers this pool.
    enum Kind { case call, blocking }

    private enum Work {
        case closure(Job, counted: Bool)
        case task(UnownedJob)
    }

    private let condition = NSCondition()
    private var jobs: [Work] = []
    private var head = 0
    private var idle = 0
    private var threads = 0
    /// Plugin calls queued or running: at most `maximumThreads`.
    private var calls = 0
    /// Threads inside blocking work other than calls (they may stay there).
    private var blocked = 0
    /// Jobs taken so far, and at the last `rebalance`.
    private var taken = 0
    private var takenAtLastCheck = 0
    let maximumThreads: Int
    let name: String
    /// Threads that run at once when nothing blocks: the cores.
    let callThreads: Int
    /// Threads started for slices of tasks (the admin API's requests): by
    /// default half the cores, at least one (`defaultTaskThreads`).
    let taskThreads: Int

    init(name: String, maximumThreads: Int, callThreads: Int = ProcessInfo.processInfo.activeProcessorCount,
         taskThreads: Int? = nil) {
        self.name = name
        self.maximumThreads = maximumThreads
        self.callThreads = max(1, callThreads)
        self.taskThreads = min(self.callThreads, max(1, taskThreads ?? Self.defaultTaskThreads(cores: self.callThreads)))
    }

    /// Half the cores, at least one. An HTTP request's CPU is split between an
    /// event loop (the server keeps one per core: parsing, writing, the socket)
    /// and the task that answers it here, about a third of the whole; a task
    /// thread per core as well would keep twice as many threads busy as there
    /// are cores, and event loops waiting for a core stall every connection
    /// they serve. Measured on two cores with wrk beside the host: one task
    /// thread served 0.89 of the plain Hummingbird echo's requests, two 0.79.
    static func defaultTaskThreads(cores: Int) -> Int { max(1, cores / 2) }

    /// Queues `job`. Returns false when it is a call and `maximumThreads`
    /// calls are queued or running already (hung calls keep their count).
    @discardableResult
    func submit(_ job: @escaping Job, kind: Kind) -> Bool {
        let counted = kind == .call
        // A pool thread queueing a call suspends right after: it runs the call itself.
        let selfServed = counted && isPoolThread
        condition.lock()
        if counted {
            guard calls < maximumThreads else {
                condition.unlock()
                return false
            }
            calls += 1
        }
        jobs.append(.closure(job, counted: counted))
        dispatch(selfServed: selfServed, limit: callThreads)
        return true
    }

    /// Queues a slice of a task that prefers this pool.
    func enqueue(_ job: consuming ExecutorJob) {
        let unowned = UnownedJob(job)
        let selfServed = isPoolThread && caphost_thread_finishing() != 0
        condition.lock()
        jobs.append(.task(unowned))
        dispatch(selfServed: selfServed, limit: taskThreads)
    }

    /// Whether the calling thread is one of this pool's.
    private var isPoolThread: Bool {
        caphost_thread_pool() == UnsafeRawPointer(Unmanaged.passUnretained(self).toOpaque())
    }

    /// After a job was appended (lock held; released here): wakes an idle
    /// thread or starts one while fewer than `limit` are free of blocking work,
    /// unless the submitting pool thread serves it.
    private func dispatch(selfServed: Bool, limit: Int) {
        let waiting = jobs.count - head
        var wakes = false, startsThread = false
        if !selfServed {
            // A new thread only while fewer than `limit` are free of blocking
            // work (more would only take turns on the cores), never past the cap.
            // Calls usually return within microseconds and do not count as
            // blocking; those that do not are found by `rebalance`.
            if waiting > idle && threads - blocked < limit && threads < maximumThreads + callThreads {
                threads += 1
                startsThread = true
            } else {
                wakes = idle > 0
            }
        }
        let id = threads
        condition.unlock()
        if startsThread {
            startThread(id)
        } else if wakes {
            condition.signal()
        }
    }

    /// Starts a thread when work waits, no thread is idle and none took a job
    /// since the last check: the threads are held by slow or hung calls. The
    /// deadline watchdog calls this every tick while calls are in flight.
    func rebalance() {
        condition.lock()
        let stalled = head < jobs.count && idle == 0 && taken == takenAtLastCheck && threads < maximumThreads + callThreads
        takenAtLastCheck = taken
        if stalled { threads += 1 }
        let id = threads
        condition.unlock()
        if stalled { startThread(id) }
    }

    /// Whether plugin calls are queued or running (the watchdog keeps ticking
    /// for `rebalance` while they are: a hung call never ends on its own).
    var hasCalls: Bool {
        condition.lock()
        defer { condition.unlock() }
        return calls > 0
    }

    var threadCount: Int {
        condition.lock()
        defer { condition.unlock() }
        return threads
    }

    /// Starts thread number `id` (already counted in `threads`, under the lock).
    private func startThread(_ id: Int) {
        Thread { [self] in run(named: "\(name)-\(id)") }.start()
    }

    private func run(named threadName: String) {
        caphost_set_thread_name(threadName)
        caphost_set_thread_pool(UnsafeRawPointer(Unmanaged.passUnretained(self).toOpaque()))
        let executor = asUnownedTaskExecutor()
        condition.lock()
        while true {
            while head == jobs.count {
                idle += 1
                condition.wait()
                idle -= 1
            }
            let work = jobs[head]
            head += 1
            taken &+= 1
            if head == jobs.count {
                jobs.removeAll(keepingCapacity: true)
                head = 0
            } else if head > 1024 && head * 2 > jobs.count {
                jobs.removeFirst(head)
                head = 0
            }
            // Work left behind by a self-served submit while another thread sleeps.
            let wakesAnother = head < jobs.count && idle > 0
            switch work {
            case .task(let job):
                condition.unlock()
                if wakesAnother { condition.signal() }
                job.runSynchronously(on: executor)
                condition.lock()
            case .closure(let job, let counted):
                // A thread entering blocking work may leave jobs behind that no
                // running thread will take soon: start one for them, by the rule `dispatch` uses.
                var startsAnother = false
                if !counted {
                    blocked += 1
                    startsAnother = head < jobs.count && idle == 0 && threads - blocked < callThreads
                        && threads < maximumThreads + callThreads
                    if startsAnother { threads += 1 }
                }
                let id = threads
                condition.unlock()
                if wakesAnother { condition.signal() }
                if startsAnother { startThread(id) }
                job()
                caphost_set_thread_finishing(0)
                condition.lock()
                if counted { calls -= 1 } else { blocked -= 1 }
            }
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
            submit({
                let value = work()
                timer.cancel()
                if gate.claim() { continuation.resume(returning: value) }
            }, kind: .blocking)
            DispatchQueue.global().asyncAfter(deadline: .now() + timeout.timeInterval, execute: timer)
        }
    }
}

/// A one-shot latch deciding who resumes a waiter: the worker (with the result)
/// or the timer (with a timeout). The first claim wins.
final class ResumeGate: Sendable {
    private let claimed = Atomic<Bool>(false)

    /// Claims the gate; true for the first caller only (both sides call the same thing).
    func claim() -> Bool { claimed.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged }
}

extension Duration {
    /// Seconds as a `TimeInterval`.
    var timeInterval: TimeInterval {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }

    /// Whole nanoseconds, saturating at what an `Int64` holds (about 292 years either way), so no
    /// duration, however it was made, can trap a deadline computation.
    package var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        let (scaled, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        if overflow { return seconds < 0 ? .min : .max }
        let (total, carry) = scaled.addingReportingOverflow(attoseconds / 1_000_000_000)
        return carry ? (seconds < 0 ? .min : .max) : total
    }
}
