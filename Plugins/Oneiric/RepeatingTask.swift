import Synchronization

/// Background work repeated every `interval` until stopped: the announcer's and the health
/// feed's rounds. `stop()` cancels the loop and waits for the round in progress.
final class RepeatingTask: Sendable {
    private let task = Mutex<Task<Void, Never>?>(nil)

    func start(every interval: Duration, _ round: @escaping @Sendable () async -> Void) {
        let loop = Task.detached {
            while !Task.isCancelled {
                await round()
                try? await Task.sleep(for: interval)
            }
        }
        task.withLock { $0 = loop }
    }

    func stop() async {
        let running = task.withLock { task -> Task<Void, Never>? in
            defer { task = nil }
            return task
        }
        running?.cancel()
        await running?.value
    }
}
