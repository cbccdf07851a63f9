#if canImport(Glibc)
import Glibc
#endif

/// A file mapped read-only into memory and unmapped when released: its bytes are read
/// straight from the page cache, with no buffer filled first. Only for files the host
/// alone writes (its image store's private copies): a file truncated while it is mapped
/// faults on access.
final class MappedFile: @unchecked Sendable {
    /// The file's bytes (empty for an empty file), valid while this object lives.
    let bytes: UnsafeRawBufferPointer

    /// Maps the whole of the open file `descriptor`; nil with `errno` set when it cannot.
    init?(descriptor: Int32) {
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { return nil }
        let size = Int(info.st_size)
        guard size > 0 else {
            bytes = UnsafeRawBufferPointer(start: nil, count: 0)
            return
        }
        guard let address = mmap(nil, size, PROT_READ, MAP_PRIVATE, descriptor, 0), address != UnsafeMutableRawPointer(bitPattern: -1) else {
            return nil
        }
        bytes = UnsafeRawBufferPointer(start: address, count: size)
    }

    deinit {
        if let address = bytes.baseAddress { munmap(UnsafeMutableRawPointer(mutating: address), bytes.count) }
    }
}
