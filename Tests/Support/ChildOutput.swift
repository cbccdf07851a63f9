import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Reading what a peer process prints, off the cooperative pool.
public enum ChildOutput {
    /// Reads stdout on a dedicated thread until the first newline, EOF or `timeout` seconds.
    public static func firstLine(of handle: FileHandle, process: Process, timeout: Double) async -> String? {
        await withCheckedContinuation { continuation in
            let once = OnceFlag()
            DispatchQueue.global().asyncAfter(deadline: .now() + timeout) {
                if once.claim() {
                    if process.isRunning { kill(process.processIdentifier, SIGKILL) }
                    continuation.resume(returning: nil)
                }
            }
            Thread.detachNewThread {
                var line = Data()
                while true {
                    let chunk = handle.availableData
                    if chunk.isEmpty { break }
                    line.append(chunk)
                    if line.contains(UInt8(ascii: "\n")) { break }
                }
                let text = String(decoding: line, as: UTF8.self).split(separator: "\n").first.map(String.init)
                if once.claim() { continuation.resume(returning: text) }
            }
        }
    }
}

/// True for exactly one caller of ``claim()``: resumes a continuation once from two racers.
private final class OnceFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var claimed = false

    func claim() -> Bool {
        lock.lock()
        defer { lock.unlock() }
        if claimed { return false }
        claimed = true
        return true
    }
}
