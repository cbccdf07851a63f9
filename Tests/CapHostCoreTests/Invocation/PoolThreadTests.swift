@testable import CapHostCore
import Foundation
import Testing

/// The host's call threads: blocking work (probes, creates) gets a thread per job
/// however many arrive at once.
@Suite struct PoolThreadTests {
    @Test func blockingJobsQueuedTogetherEachGetAThread() async throws {
        let pool = CallThreadPool(name: "test-pool", maximumThreads: 64, taskThreads: 2)
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
}

/// How many jobs have started, shared by the jobs.
private final class StartedJobs: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0

    var count: Int { lock.withLock { value } }
    func increment() { lock.withLock { value += 1 } }
}
