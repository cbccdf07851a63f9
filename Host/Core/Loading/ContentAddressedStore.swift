import CCapHostSupport
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

    /// The lower-case hex SHA-256 of `bytes`.
    public static func digest(of bytes: UnsafeRawBufferPointer) -> String {
        hex(SHA256.hash(data: bytes))
    }

    private static func hex(_ digest: SHA256.Digest) -> String {
        digest.map { String($0, radix: 16).leftPadded(2) }.joined()
    }

    /// Where the copy of the image whose SHA-256 is `digest` is kept.
    public func imagePath(digest: String) -> String {
        (directory as NSString).appendingPathComponent("\(digest).so")
    }

    /// A plugin file copied into the store under a temporary name, and the copy's bytes.
    public struct StagedImage: Sendable {
        /// Where the copy is until `commit` names it by its digest (or `discard` removes it).
        public let temporaryPath: String
        let image: MappedFile
        /// The copy's bytes, mapped from it: what is hashed, checked and loaded. Valid while
        /// this value lives.
        public var bytes: UnsafeRawBufferPointer { image.bytes }
    }

    /// Copies `file` into the store under a temporary name — inside the kernel, which costs a
    /// fraction of writing the bytes out of a buffer — and maps the copy. The copy is private
    /// to the host, so its bytes stay what was hashed and checked whatever happens to the file
    /// meanwhile. A file larger than `limit` bytes is refused.
    public func stage(_ file: OpenedPluginFile, limit: Int) throws(PluginLoadError) -> StagedImage {
        func fail(_ what: String, _ error: Int32 = errno) -> PluginLoadError {
            PluginLoadError(file: file.path, check: .copy, detail: "\(what) under \(directory): \(String(cString: strerror(error)))")
        }
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o700])
        } catch {
            throw PluginLoadError(file: file.path, check: .copy, detail: "cannot create the image store \(directory): \(error.localizedDescription)")
        }
        let temporary = (directory as NSString).appendingPathComponent(".staged.\(getpid()).\(UInt32.random(in: 0...UInt32.max)).tmp")
        let target = open(temporary, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0o500)
        guard target >= 0 else { throw fail("cannot create \(temporary)") }
        let copied = caphost_copy_file(file.descriptor, target, Int64(limit) + 1)
        let copyError = errno
        defer { close(target) }
        guard copied >= 0 else {
            unlink(temporary)
            if copyError == EIO || copyError == EISDIR {
                throw PluginLoadError(file: file.path, check: .file, detail: "cannot read: \(String(cString: strerror(copyError)))")
            }
            throw fail("cannot copy into \(temporary)", copyError)
        }
        guard copied <= limit else {
            unlink(temporary)
            throw PluginLoadError(file: file.path, check: .file, detail: "grew past the \(limit)-byte limit while being read")
        }
        guard let image = MappedFile(descriptor: target) else {
            let error = errno
            unlink(temporary)
            throw fail("cannot map the copy \(temporary)", error)
        }
        return StagedImage(temporaryPath: temporary, image: image)
    }

    /// Names `staged` by its SHA-256 `digest` (at `imagePath(digest:)`) and returns that path.
    /// A copy already there is kept when its bytes are the staged ones, so what an earlier
    /// start mapped or remembered stays as it was; anything else there (a tampered or torn
    /// copy, a link) is replaced. The copy is not fsynced: it is checked on every reuse
    /// (an `ImageMemo` entry only vouches for it once it is on disk), and an fsync of tens
    /// of megabytes per plugin was most of a first start's wall time.
    public func commit(_ staged: StagedImage, digest: String, source: String) throws(PluginLoadError) -> String {
        let target = imagePath(digest: digest)
        if Self.file(at: target, holds: staged.bytes) {
            unlink(staged.temporaryPath)
            return target
        }
        guard rename(staged.temporaryPath, target) == 0 else {
            let error = errno
            unlink(staged.temporaryPath)
            throw PluginLoadError(file: source, check: .copy, detail: "cannot rename into \(target): \(String(cString: strerror(error)))")
        }
        return target
    }

    /// Removes a staged copy that will not be committed (its file failed a check).
    public func discard(_ staged: StagedImage) {
        unlink(staged.temporaryPath)
    }

    /// Whether the regular file at `path` (not followed if it is a link) holds exactly `bytes`.
    static func file(at path: String, holds bytes: UnsafeRawBufferPointer) -> Bool {
        let fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, info.st_mode & S_IFMT == S_IFREG, Int(info.st_size) == bytes.count else { return false }
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        var offset = 0
        while offset < bytes.count {
            let count = chunk.withUnsafeMutableBytes { pread(fd, $0.baseAddress!, min($0.count, bytes.count - offset), off_t(offset)) }
            if count < 0 { if errno == EINTR { continue }; return false }
            if count == 0 { return false }
            let same = chunk.withUnsafeBytes { memcmp($0.baseAddress!, bytes.baseAddress! + offset, count) == 0 }
            guard same else { return false }
            offset += count
        }
        return true
    }
}
