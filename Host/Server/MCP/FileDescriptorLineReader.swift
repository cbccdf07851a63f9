import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Reads newline-delimited messages from a file descriptor on a dedicated
/// thread (blocking `read(2)` never runs on Swift's cooperative pool) and hands
/// them over as an `AsyncStream`, which finishes at end of file.
enum FileDescriptorLineReader {
    /// One line without its `\n` (and without a trailing `\r`), or a line that
    /// was too long and was skipped.
    enum Line: Sendable {
        case text([UInt8])
        case oversized(byteCount: Int)
    }

    static func lines(from descriptor: Int32, maximumLineBytes: Int, name: String) -> AsyncStream<Line> {
        let (stream, continuation) = AsyncStream<Line>.makeStream(bufferingPolicy: .unbounded)
        let thread = Thread {
            readLoop(descriptor, maximumLineBytes: maximumLineBytes, continuation)
            continuation.finish()
        }
        thread.name = name
        thread.start()
        return stream
    }

    private static func readLoop(_ descriptor: Int32, maximumLineBytes: Int, _ continuation: AsyncStream<Line>.Continuation) {
        var pending: [UInt8] = []
        var skipped = 0
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { break }
            var start = 0
            for index in 0..<count where buffer[index] == 0x0A {
                emit(buffer[start..<index], pending: &pending, skipped: &skipped, maximumLineBytes: maximumLineBytes, continuation)
                start = index + 1
            }
            if start < count {
                if skipped > 0 || pending.count + (count - start) > maximumLineBytes {
                    skipped += pending.count + (count - start)
                    pending.removeAll()
                } else {
                    pending.append(contentsOf: buffer[start..<count])
                }
            }
        }
        // A last message without its newline still counts.
        if !pending.isEmpty || skipped > 0 {
            emit([], pending: &pending, skipped: &skipped, maximumLineBytes: maximumLineBytes, continuation)
        }
    }

    private static func emit(_ tail: ArraySlice<UInt8>, pending: inout [UInt8], skipped: inout Int, maximumLineBytes: Int,
                             _ continuation: AsyncStream<Line>.Continuation) {
        if skipped > 0 || pending.count + tail.count > maximumLineBytes {
            continuation.yield(.oversized(byteCount: skipped + pending.count + tail.count))
        } else {
            var line = pending
            line.append(contentsOf: tail)
            if line.last == 0x0D { line.removeLast() }
            if line.contains(where: { $0 != 0x20 && $0 != 0x09 }) { continuation.yield(.text(line)) }
        }
        pending.removeAll(keepingCapacity: true)
        skipped = 0
    }
}
