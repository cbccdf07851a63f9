@testable import CapHostCore
import Foundation
import Testing

/// The host's call threads: blocking work (probes, creates) gets a thread per job
/// however many arrive at once.
@Suite struct PoolThreadTests {
    @Test func blockingJobsQueuedTogetherEachGetAThread() async throws {
        let pool = CallThreadPool(name: "test-pool", maximumThreads: 64, callThreads: 2)
        let jobs = 6
        let started = StartedJobs()
        // Each job waits (up to 10 s) until all have started: they all finish in time only if they all ran at once.
        let sawAll = await withTaskGroup(of: Bool?.self) { group in
            for _ in 0..<jobs {
                group.addTask {
                    await pool.run(timeout: .seconds(20)) {
                        started.increment()
                        let deadline = Date().addingTimeInterval(10)
                        while started.count < jobs && Date() < deadline { usleep(1_000) }
                        return started.count == jobs
                    }
                }
            }
            var results: [Bool?] = []
            for await result in group { results.append(result) }
            return results
        }
        #expect(sawAll == Array(repeating: true, count: jobs), "only \(started.count) of \(jobs) jobs ran at once")
        #expect(pool.threadCount >= jobs)
    }

    @Test func taskSlicesStartThreadsUpToTheTaskLimitAndCallsUpToTheCores() async throws {
        let pool = CallThreadPool(name: "test-split", maximumThreads: 64, callThreads: 4, taskThreads: 1)
        #expect(pool.taskThreads == 1 && pool.callThreads == 4)
        // Eight tasks that prefer the pool, each with slices that keep a thread busy: one thread serves them.
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<8 {
                group.addTask(executorPreference: pool) {
                    for _ in 0..<5 {
                        let until = Date().addingTimeInterval(0.002)
                        while Date() < until {}
                        await Task.yield()
                    }
                }
            }
        }
        #expect(pool.threadCount == 1, "task slices started \(pool.threadCount) threads; the task limit is 1")
        // Four calls from outside the pool that each wait until all four run: they need four threads.
        let calls = 4
        let started = StartedJobs()
        let sawAll = await withTaskGroup(of: Bool.self) { group in
            for _ in 0..<calls {
                group.addTask {
                    await withCheckedContinuation { continuation in
                        pool.submit({
                            started.increment()
                            let deadline = Date().addingTimeInterval(10)
                            while started.count < calls && Date() < deadline { usleep(1_000) }
                            continuation.resume(returning: started.count == calls)
                        }, kind: .call)
                    }
                }
            }
            var all = true
            for await saw in group { all = all && saw }
            return all
        }
        #expect(sawAll, "only \(started.count) of \(calls) calls ran at once")
        #expect(pool.threadCount == calls)
    }

    @Test func theDefaultTaskLimitIsHalfTheCoresAndAtLeastOne() {
        #expect(CallThreadPool.defaultTaskThreads(cores: 1) == 1)
        #expect(CallThreadPool.defaultTaskThreads(cores: 2) == 1)
        #expect(CallThreadPool.defaultTaskThreads(cores: 8) == 4)
        #expect(CallThreadPool(name: "test-default", maximumThreads: 8, callThreads: 6).taskThreads == 3)
    }
}

/// How many jobs have started, shared by the jobs.
private final class StartedJobs: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0

    var count: Int { lock.withLock { value } }
    func increment() { lock.withLock { value += 1 } }
}
