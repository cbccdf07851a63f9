import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A plugin file opened once — without following a symbolic link — together
/// with its directory. Every check (file type, owner, mode, size) is an
/// `fstat` of these descriptors, and the bytes are read from the same
/// descriptor, so what was checked is what is hashed, copied and loaded: a
/// file renamed or swapped at the path after the open changes nothing.
public final class OpenedPluginFile: @unchecked Sendable {
    /// The path the file was opened at (for messages).
    public let path: String
    /// The open file, `O_RDONLY | O_NOFOLLOW | O_CLOEXEC`.
    public let descriptor: Int32
    /// `fstat` of `descriptor`, taken at open.
    let info: stat
    /// `fstat` of the directory the file was opened in.
    let directoryInfo: stat
    /// The directory's path (for messages).
    let directory: String

    /// Opens `path`; a symbolic link (or anything but an openable file) is refused.
    public init(path: String) throws(PluginLoadError) {
        let directory = (path as NSString).deletingLastPathComponent
        let name = (path as NSString).lastPathComponent
        let directoryDescriptor = open(directory.isEmpty ? "." : directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard directoryDescriptor >= 0 else {
            throw PluginLoadError(file: directory, check: .file, detail: "cannot open the plugin's directory: \(String(cString: strerror(errno)))")
        }
        defer { close(directoryDescriptor) }
        var directoryInfo = stat()
        guard fstat(directoryDescriptor, &directoryInfo) == 0 else {
            throw PluginLoadError(file: directory, check: .file, detail: "cannot stat the plugin's directory: \(String(cString: strerror(errno)))")
        }
        // O_NONBLOCK: opening a FIFO for reading must not wait for a writer (fstat then refuses it).
        let descriptor = openat(directoryDescriptor, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK | O_NOCTTY)
        guard descriptor >= 0 else {
            let error = errno
            if error == ELOOP {
                throw PluginLoadError(file: path, check: .file, detail: Self.symbolicLinkDetail(path))
            }
            throw PluginLoadError(file: path, check: .file, detail: "cannot open for reading: \(String(cString: strerror(error)))")
        }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else {
            let error = errno
            close(descriptor)
            throw PluginLoadError(file: path, check: .file, detail: "cannot stat: \(String(cString: strerror(error)))")
        }
        self.path = path
        self.descriptor = descriptor
        self.info = info
        self.directoryInfo = directoryInfo
        self.directory = directory
    }

    deinit { close(descriptor) }

    /// The file's size as `fstat` saw it at open.
    public var size: Int { Int(info.st_size) }

    /// Reads the whole file from the descriptor (from offset 0, whatever was read
    /// before). Fails if it holds more than `limit` bytes by the time it is read.
    public func readAll(limit: Int) throws(PluginLoadError) -> [UInt8] {
        // Read into uninitialised memory: zero-filling tens of megabytes first cost
        // as much as reading them. One byte more than the size tells a file that grew.
        var bytes: [UInt8] = []
        var chunk = min(max(size, 0), limit) + 1
        while true {
            let offset = bytes.count
            var readError: Int32 = 0
            var atEnd = false
            let piece = [UInt8](unsafeUninitializedCapacity: chunk) { buffer, initialized in
                var filled = 0
                while filled < buffer.count {
                    let count = pread(descriptor, buffer.baseAddress! + filled, buffer.count - filled, off_t(offset + filled))
                    if count < 0 {
                        if errno == EINTR { continue }
                        readError = errno
                        break
                    }
                    if count == 0 {
                        atEnd = true
                        break
                    }
                    filled += count
                }
                initialized = filled
            }
            if readError != 0 {
                throw PluginLoadError(file: path, check: .file, detail: "cannot read: \(String(cString: strerror(readError)))")
            }
            if bytes.isEmpty { bytes = piece } else { bytes += piece }
            if atEnd { return bytes }
            guard bytes.count <= limit else {
                throw PluginLoadError(file: path, check: .file, detail: "grew past the \(limit)-byte limit while being read")
            }
            chunk = min(bytes.count, limit + 1 - bytes.count)
        }
    }

    private static func symbolicLinkDetail(_ path: String) -> String {
        let target = (try? FileManager.default.destinationOfSymbolicLink(atPath: path)).map { " (to \($0))" } ?? ""
        return "is a symbolic link\(target); plugin files are opened without following links, so the file checked is the file loaded: copy or move the library itself into the folder"
    }
}
