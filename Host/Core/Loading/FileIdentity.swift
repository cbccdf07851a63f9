#if canImport(Glibc)
import Glibc
#endif

/// Which version of a file is in place at a path: a rewrite, a rename over it, a
/// `chmod` or `chown` changes it (the change time moves with every one of them).
struct FileIdentity: Sendable, Hashable, Codable {
    let device: UInt64
    let inode: UInt64
    let size: Int64
    let mode: UInt32
    let owner: UInt32
    let modifiedNanoseconds: Int64
    let changedNanoseconds: Int64

    init(_ info: stat) {
        device = UInt64(info.st_dev)
        inode = UInt64(info.st_ino)
        size = Int64(info.st_size)
        mode = UInt32(info.st_mode)
        owner = UInt32(info.st_uid)
        modifiedNanoseconds = Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec)
        changedNanoseconds = Int64(info.st_ctim.tv_sec) * 1_000_000_000 + Int64(info.st_ctim.tv_nsec)
    }

    /// `stat` of `path` (following a link, as a scan's listing does).
    init?(path: String) {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        self.init(info)
    }

    /// `lstat` of `path` when it is a regular file.
    init?(regularFileAt path: String) {
        var info = stat()
        guard lstat(path, &info) == 0, info.st_mode & S_IFMT == S_IFREG else { return nil }
        self.init(info)
    }
}
