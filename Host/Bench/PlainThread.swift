import Foundation

/// Runs blocking work (a timing loop, a poll with usleep) on a thread of its
/// own, so it never holds one of Swift's cooperative threads (two on a
/// two-core machine), which the host's own tasks need meanwhile.
enum PlainThread {
    static func run<T: Sendable>(name: String, _ work: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { (continuation: CheckedContinuation<T, Never>) in
            let thread = Thread { continuation.resume(returning: work()) }
            thread.name = name
            thread.start()
        }
    }
}
