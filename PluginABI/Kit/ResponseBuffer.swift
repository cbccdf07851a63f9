#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import CapPluginABI
import Synchronization

/// Hands response bytes to the host as a `cap_buffer` whose release frees exactly the copy the
/// kit made with `malloc`, and counts the copies still alive so tests can prove every buffer
/// was released.
package enum ResponseBuffer {
    /// Buffers the kit handed out that the host has not released yet.
    package static var outstanding: Int { outstandingCount.load(ordering: .relaxed) }

    private static let outstandingCount = Atomic<Int>(0)

    /// Fills `buffer` with a malloc'd copy of `bytes`; leaves it empty (no release) for no bytes.
    static func fill(_ buffer: UnsafeMutablePointer<cap_buffer>, with bytes: [UInt8]) -> Bool {
        guard !bytes.isEmpty else {
            buffer.pointee = .empty
            return true
        }
        guard let memory = malloc(bytes.count) else { return false }
        bytes.withUnsafeBytes { source in
            memory.copyMemory(from: source.baseAddress!, byteCount: source.count)
        }
        outstandingCount.add(1, ordering: .relaxed)
        buffer.pointee = cap_buffer(
            data: UnsafePointer(memory.assumingMemoryBound(to: UInt8.self)),
            len: bytes.count,
            release: release,
            release_ctx: nil)
        return true
    }

    /// The buffer's release function: frees the copy and empties the struct, so a second call
    /// (a host bug) finds nothing to free.
    private static let release: @convention(c) (UnsafeMutablePointer<cap_buffer>?) -> Void = { buffer in
        guard let buffer, let data = buffer.pointee.data else { return }
        free(UnsafeMutableRawPointer(mutating: data))
        ResponseBuffer.outstandingCount.subtract(1, ordering: .relaxed)
        buffer.pointee = .empty
    }
}

extension cap_buffer {
    /// An empty buffer with no release function.
    static var empty: cap_buffer { cap_buffer(data: nil, len: 0, release: nil, release_ctx: nil) }
}
