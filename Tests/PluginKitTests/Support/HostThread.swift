#if canImport(Glibc)
import Glibc
#endif

/// Runs blocking work on a fresh POSIX thread, like the host's own threads (never on Swift's
/// cooperative pool, which the kit assumes it is not called from).
enum HostThread {
    static func run<Result: Sendable>(_ work: @escaping @Sendable () -> Result) async -> Result {
        await withCheckedContinuation { continuation in
            let box = Unmanaged.passRetained(Job { continuation.resume(returning: work()) })
            var thread = pthread_t()
            let created = pthread_create(&thread, nil, { argument in
                let job = Unmanaged<Job>.fromOpaque(argument!).takeRetainedValue()
                job.body()
                return nil
            }, box.toOpaque())
            precondition(created == 0, "pthread_create failed")
            pthread_detach(thread)
        }
    }

    private final class Job: @unchecked Sendable {
        let body: () -> Void
        init(_ body: @escaping () -> Void) { self.body = body }
    }
}
