#if canImport(Glibc)
import Glibc
#endif

/// Path facts read from the file system without following anything the caller did not ask to.
package enum FileSystemPath {
    /// `realpath(3)`: symlinks and `..` resolved; nil when the path does not exist (see `errno`).
    package static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    /// The `lstat` file type bits, or nil when the entry does not exist.
    package static func fileType(_ path: String, following: Bool = true) -> mode_t? {
        var info = stat()
        let result = following ? stat(path, &info) : lstat(path, &info)
        return result == 0 ? info.st_mode & S_IFMT : nil
    }

    package static func isDirectory(_ path: String) -> Bool { fileType(path) == S_IFDIR }

    /// Whether `path` is `root` or lies below it (both already resolved).
    package static func isWithin(_ path: String, root: String) -> Bool {
        if root == "/" { return path.hasPrefix("/") }
        return path == root || path.hasPrefix(root + "/")
    }

    /// A word for a file type, for messages ("a regular file").
    package static func describe(_ type: mode_t) -> String {
        switch type {
        case S_IFREG: "a regular file"
        case S_IFDIR: "a folder"
        case S_IFLNK: "a symbolic link"
        case S_IFIFO: "a FIFO"
        case S_IFSOCK: "a socket"
        case S_IFCHR: "a character device"
        case S_IFBLK: "a block device"
        default: "a special file"
        }
    }

    /// `strerror(code)`.
    package static func errorText(_ code: Int32) -> String { String(cString: strerror(code)) }
}
