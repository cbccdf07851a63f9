import CapHostTestSupport
import Synchronization
import Testing

/// Records everything a stream yields, from one long-lived consumer (a
/// cancelled consumer would end an `AsyncStream`).
final class StreamRecorder<Element: Sendable>: Sendable {
    private final class Storage: Sendable {
        let items = Mutex<[Element]>([])
        let finished = Mutex(false)
    }

    private let storage = Storage()
    private let consumer: Task<Void, Never>

    init(_ stream: AsyncStream<Element>) {
        let storage = self.storage
        consumer = Task {
            for await element in stream { storage.items.withLock { $0.append(element) } }
            storage.finished.withLock { $0 = true }
        }
    }

    deinit { consumer.cancel() }

    var items: [Element] { storage.items.withLock { $0 } }
    var isFinished: Bool { storage.finished.withLock { $0 } }

    /// Waits until `count` items arrived (or fails after `timeout`); returns them all.
    @discardableResult
    func wait(for count: Int, timeout: Duration = .seconds(10)) async throws -> [Element] {
        try await eventually("\(count) item(s) from the stream (have \(items.count))", timeout: timeout) { items.count >= count }
        return items
    }
}
