import Dispatch
import Synchronization

/// Runs async work to completion from libFuzzer's synchronous callback, which is
/// never on the cooperative pool: the calling thread waits while a task runs the work.
enum BlockingWait {
    static func run<T: Sendable>(_ work: @escaping @Sendable () async -> T) -> T {
        let result = Mutex<T?>(nil)
        let done = DispatchSemaphore(value: 0)
        Task {
            let value = await work()
            result.withLock { $0 = value }
            done.signal()
        }
        done.wait()
        return result.withLock { $0! }
    }
}
