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

    /// Where the copy of the image whose SHA-256 is `digest` is kept.
    public func imagePath(digest: String) -> String {
        (directory as NSString).appendingPathComponent("\(digest).so")
    }

    /// Stores `bytes` (whose digest is `digest`) and returns the path to load.
    /// A copy already in the store is trusted only once its bytes are `bytes`
    /// again (compared, which costs a fraction of hashing them): anything else
    /// there (a tampered or torn copy, a link) is replaced by a fresh copy,
    /// written to a temporary name and renamed over it.
    /// The copy is not fsynced: it is a cache checked on every reuse, so a copy a
    /// power cut tore is found and rewritten (an fsync of tens of megabytes per
    /// plugin was most of a first start's wall time).
    public func store(_ bytes: [UInt8], digest: String, source: String) throws(PluginLoadError) -> String {
        let target = imagePath(digest: digest)
        if Self.file(at: target, holds: bytes) { return target }
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
            return true
        }
        close(fd)
        guard ok else { unlink(temporary); throw fail("cannot write \(temporary)") }
        guard rename(temporary, target) == 0 else { unlink(temporary); throw fail("cannot rename into \(target)") }
        return target
    }

    /// Whether the regular file at `path` (not followed if it is a link) holds exactly `bytes`.
    static func file(at path: String, holds bytes: [UInt8]) -> Bool {
        let fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, info.st_mode & S_IFMT == S_IFREG, Int(info.st_size) == bytes.count else { return false }
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        var offset = 0
        return bytes.withUnsafeBytes { expected -> Bool in
            while offset < expected.count {
                let count = chunk.withUnsafeMutableBytes { pread(fd, $0.baseAddress!, min($0.count, expected.count - offset), off_t(offset)) }
                if count < 0 { if errno == EINTR { continue }; return false }
                if count == 0 { return false }
                let same = chunk.withUnsafeBytes { memcmp($0.baseAddress!, expected.baseAddress! + offset, count) == 0 }
                guard same else { return false }
                offset += count
            }
            return true
        }
    }
}
