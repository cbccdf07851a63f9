@preconcurrency import Foundation
import Synchronization

/// Threads of the host's own on which plugin code runs when the caller must
/// not block: Swift's cooperative pool (two threads on a two-core machine) is
/// never lent to a plugin. A call that hangs keeps its thread; the pool grows
/// to replace it, up to `maximumThreads`, and reports the threads it lost.
final class CallThreadPool: @unchecked Sendable {
    typealias Job = @Sendable () -> Void

    private let condition = NSCondition()
    private var jobs: [Job] = []
    private var head = 0
    private var idle = 0
    private var threads = 0
    private var busySince: [Int: UInt64] = [:]
    private var nextThreadID = 0
    let maximumThreads: Int
    let name: String

    init(name: String, maximumThreads: Int) {
        self.name = name
        self.maximumThreads = maximumThreads
    }

    /// Queues `job`. Returns false when the pool is at its thread limit with
    /// every thread busy and `refuseWhenSaturated` is set.
    @discardableResult
    func submit(refuseWhenSaturated: Bool = false, _ job: @escaping Job) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        if idle == 0 && threads >= maximumThreads && refuseWhenSaturated { return false }
        jobs.append(job)
        if idle == 0 && threads < maximumThreads {
            threads += 1
            nextThreadID += 1
            let id = nextThreadID
            let thread = Thread { [self] in run(id: id) }
            thread.name = "\(name)-\(id)"
            thread.start()
        } else {
            condition.signal()
        }
        return true
    }

    /// Threads currently inside a job for longer than `threshold`.
    func stuckThreads(olderThan threshold: Duration) -> Int {
        let now = DispatchTime.now().uptimeNanoseconds
        let limit = UInt64(threshold.components.seconds) * 1_000_000_000 + UInt64(threshold.components.attoseconds / 1_000_000_000)
        condition.lock()
        defer { condition.unlock() }
        return busySince.values.filter { now - $0 > limit }.count
    }

    var threadCount: Int {
        condition.lock()
        defer { condition.unlock() }
        return threads
    }

    private func run(id: Int) {
        while true {
            condition.lock()
            while head == jobs.count {
                idle += 1
                condition.wait()
                idle -= 1
            }
            let job = jobs[head]
            head += 1
            if head > 1024 && head * 2 > jobs.count {
                jobs.removeFirst(head)
                head = 0
            }
            busySince[id] = DispatchTime.now().uptimeNanoseconds
            condition.unlock()
            job()
            condition.lock()
            busySince[id] = nil
            condition.unlock()
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
