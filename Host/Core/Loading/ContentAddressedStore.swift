import Crypto
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Keeps every loaded plugin image at `<state>/loaded/<sha256>.so`, written to
/// a temporary name and renamed into place, so a rebuilt file is never confused
/// with the image already mapped (REFERENCE §6: same path + RTLD_NODELETE
/// returns the old image; truncating a mapped file crashes the host).
public struct ContentAddressedStore: Sendable {
    public let directory: String

    public init(stateDirectory: String) {
        self.directory = (stateDirectory as NSString).appendingPathComponent("loaded")
    }

    /// The lower-case hex SHA-256 of `bytes`.
    public static func digest(of bytes: [UInt8]) -> String {
        hex(SHA256.hash(data: bytes))
    }

    private static func hex(_ digest: SHA256.Digest) -> String {
        digest.map { String($0, radix: 16).leftPadded(2) }.joined()
    }

    /// Stores `bytes` (whose digest is `digest`) and returns the path to load.
    /// A copy already in the store is trusted only once its bytes hash to
    /// `digest` again: anything else there (a tampered or torn copy, a link) is
    /// replaced by a fresh copy, written to a temporary name and renamed over it.
    public func store(_ bytes: [UInt8], digest: String, source: String) throws(PluginLoadError) -> String {
        let target = (directory as NSString).appendingPathComponent("\(digest).so")
        if Self.digest(ofFileAt: target) == digest { return target }
        func fail(_ what: String) -> PluginLoadError {
            PluginLoadError(file: source, check: .copy, detail: "\(what) under \(directory): \(String(cString: strerror(errno)))")
        }
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o700])
        } catch {
            throw PluginLoadError(file: source, check: .copy, detail: "cannot create the image store \(directory): \(error.localizedDescription)")
        }
        let temporary = (directory as NSString).appendingPathComponent(".\(digest).\(getpid()).\(UInt32.random(in: 0...UInt32.max)).tmp")
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o500)
        guard fd >= 0 else { throw fail("cannot create \(temporary)") }
        var written = 0
        let ok = bytes.withUnsafeBytes { buffer -> Bool in
            while written < buffer.count {
                let result = write(fd, buffer.baseAddress! + written, buffer.count - written)
                if result < 0 { if errno == EINTR { continue }; return false }
                written += result
            }
            return fsync(fd) == 0
        }
        close(fd)
        guard ok else { unlink(temporary); throw fail("cannot write \(temporary)") }
        guard rename(temporary, target) == 0 else { unlink(temporary); throw fail("cannot rename into \(target)") }
        return target
    }

    /// The digest of the regular file at `path` (not followed if it is a link), or nil.
    static func digest(ofFileAt path: String) -> String? {
        let fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, info.st_mode & S_IFMT == S_IFREG else { return nil }
        var hasher = SHA256()
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress!, $0.count) }
            if count < 0 { if errno == EINTR { continue }; return nil }
            if count == 0 { break }
            chunk.withUnsafeBytes { hasher.update(bufferPointer: UnsafeRawBufferPointer(rebasing: $0[0..<count])) }
        }
        return hex(hasher.finalize())
    }
}
