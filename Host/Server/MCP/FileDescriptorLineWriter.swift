import Dispatch
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Writes newline-terminated messages to a file descriptor from one serial
/// queue: a reader that is slow to drain its pipe blocks that queue, never the
/// cooperative pool, and messages never interleave.
final class FileDescriptorLineWriter: Sendable {
    private let descriptor: Int32
    private let queue: DispatchQueue
    /// Set when a write failed (the reader closed its end): later messages are dropped.
    private let broken = Atomic<Bool>(false)

    init(descriptor: Int32, label: String) {
        self.descriptor = descriptor
        self.queue = DispatchQueue(label: label)
    }

    var isBroken: Bool { broken.load(ordering: .relaxed) }

    /// Queues `message` followed by `\n`.
    func send(_ message: [UInt8]) {
        let line = message + [0x0A]
        queue.async { [self] in
            guard !broken.load(ordering: .relaxed) else { return }
            var offset = 0
            while offset < line.count {
                let written = line.withUnsafeBytes { write(descriptor, $0.baseAddress! + offset, $0.count - offset) }
                if written < 0 {
                    if errno == EINTR { continue }
                    broken.store(true, ordering: .relaxed)
                    return
                }
                offset += written
            }
        }
    }

    /// Returns once everything queued so far is written (or dropped).
    func flush() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            queue.async { continuation.resume() }
        }
    }
}
