import Dispatch
import Foundation
import Synchronization

/// Plain threads (not Swift's cooperative pool, which must not spin) that
/// start together, run `body` until told to stop, and hand back its result.
final class WorkerThreads<Output: Sendable>: Sendable {
    private let ready = Atomic<Int>(0)
    private let go = Atomic<Bool>(false)
    private let stopping = Atomic<Bool>(false)
    private let outputs = Mutex<[Int: Output]>([:])
    private let group = DispatchGroup()
    let count: Int

    /// Starts `count` threads; each waits for the others, then runs
    /// `body(index, threads)` and should return once `threads.shouldStop`.
    init(count: Int, name: String, _ body: @escaping @Sendable (Int, WorkerThreads<Output>) -> Output) {
        self.count = count
        for index in 0..<count {
            group.enter()
            let thread = Thread { [self] in
                ready.add(1, ordering: .acquiringAndReleasing)
                while !go.load(ordering: .acquiring) {}
                let output = body(index, self)
                outputs.withLock { $0[index] = output }
                group.leave()
            }
            thread.name = "\(name)-\(index)"
            thread.start()
        }
        while ready.load(ordering: .acquiring) < count { sched_yield() }
        go.store(true, ordering: .releasing)
    }

    /// Read in the workers' loops (relaxed: a few calls late is fine).
    @inline(__always)
    var shouldStop: Bool { stopping.load(ordering: .relaxed) }

    /// Tells the workers to stop and waits until all returned; outputs by index.
    func stop() async -> [Output] {
        stopping.store(true, ordering: .relaxed)
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            group.notify(queue: .global()) { continuation.resume() }
        }
        let outputs = outputs.withLock { $0 }
        return (0..<count).compactMap { outputs[$0] }
    }
}
