import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// What the file checks learned about a plugin file.
public struct PluginFileFacts: Sendable, Hashable {
    /// The file's size in bytes.
    public let size: Int
    /// Libraries named by `DT_NEEDED`.
    public let neededLibraries: [String]

    /// Whether the library links the Swift runtime (and so must never be `dlclose`d).
    public var linksSwiftRuntime: Bool { neededLibraries.contains { $0.hasPrefix("libswiftCore.so") } }
}

/// Checks a plugin file before anything loads it: a regular file (never
/// through a symbolic link), safe owner and permissions (file and directory),
/// and a complete ELF shared object for this machine's architecture. The file
/// is opened once (`OpenedPluginFile`); every check is an `fstat` of that
/// descriptor and the bytes come from it, so nothing swapped in at the path
/// between the checks and the read is ever hashed, copied or loaded.
public struct PluginFileInspector: Sendable {
    /// Files larger than this are refused (a debug Swift plugin embedding NIO is ≈ 30 MB).
    public var maxFileSize: Int = 512 << 20

    public init() {}

    /// Opens `path` without following links and inspects what was opened.
    public func inspect(_ path: String) throws(PluginLoadError) -> PluginFileFacts {
        try read(try OpenedPluginFile(path: path)).facts
    }

    /// Inspects an already opened file: checks by `fstat`, then reads its bytes once from
    /// the descriptor (what is hashed, copied and loaded) and parses them.
    public func read(_ file: OpenedPluginFile) throws(PluginLoadError) -> (facts: PluginFileFacts, contents: [UInt8]) {
        try check(file)
        let contents = try file.readAll(limit: maxFileSize)
        let needed = try ELFImage(file: file.path, bytes: contents).neededLibraries()
        return (PluginFileFacts(size: contents.count, neededLibraries: needed), contents)
    }

    /// The checks that need no read: a regular file of at most `maxFileSize` bytes, and a
    /// safe owner and mode for the file and its directory.
    public func check(_ file: OpenedPluginFile) throws(PluginLoadError) {
        guard file.info.st_mode & S_IFMT == S_IFREG else {
            throw PluginLoadError(file: file.path, check: .file, detail: "is not a regular file (found \(Self.kind(of: file.info.st_mode)))")
        }
        try checkOwnerAndMode(file.info, of: file.path, what: "file")
        guard file.size <= maxFileSize else {
            throw PluginLoadError(file: file.path, check: .file, detail: "is \(file.size) bytes, more than the \(maxFileSize)-byte limit")
        }
        try checkOwnerAndMode(file.directoryInfo, of: file.directory, what: "directory")
    }

    private func checkOwnerAndMode(_ info: stat, of path: String, what: String) throws(PluginLoadError) {
        let writableByOthers = info.st_mode & (S_IWGRP | S_IWOTH)
        if writableByOthers != 0 {
            let mode = String(info.st_mode & 0o7777, radix: 8)
            throw PluginLoadError(file: path, check: .file,
                detail: "\(what) is group- or world-writable (mode 0\(mode)); expected no write bit for group and others (chmod go-w)")
        }
        let me = geteuid()
        if info.st_uid != 0 && info.st_uid != me {
            throw PluginLoadError(file: path, check: .file,
                detail: "\(what) is owned by uid \(info.st_uid); expected root (0) or the host's user (\(me))")
        }
    }

    static func kind(of mode: mode_t) -> String {
        switch mode & S_IFMT {
        case S_IFDIR: "a directory"
        case S_IFLNK: "a symbolic link"
        case S_IFCHR: "a character device"
        case S_IFBLK: "a block device"
        case S_IFIFO: "a FIFO"
        case S_IFSOCK: "a socket"
        default: "mode 0\(String(mode, radix: 8))"
        }
    }
}
