import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// What the file checks learned about a plugin file.
public struct PluginFileFacts: Sendable, Hashable {
    /// The file's bytes as read once: what is hashed, copied and loaded.
    public let contents: [UInt8]
    /// Libraries named by `DT_NEEDED`.
    public let neededLibraries: [String]

    /// Whether the library links the Swift runtime (and so must never be `dlclose`d).
    public var linksSwiftRuntime: Bool { neededLibraries.contains { $0.hasPrefix("libswiftCore.so") } }
}

/// Checks a plugin file before anything loads it: a regular file, safe owner
/// and permissions (file and directory), and a complete ELF shared object for
/// this machine's architecture.
public struct PluginFileInspector: Sendable {
    /// Files larger than this are refused (a debug Swift plugin embedding NIO is ≈ 30 MB).
    public var maxFileSize: Int = 512 << 20

    public init() {}

    public func inspect(_ path: String) throws(PluginLoadError) -> PluginFileFacts {
        try checkFile(path)
        try checkDirectory((path as NSString).deletingLastPathComponent)
        let contents = try read(path)
        let needed = try ELFImage(file: path, bytes: contents).neededLibraries()
        return PluginFileFacts(contents: contents, neededLibraries: needed)
    }

    private func checkFile(_ path: String) throws(PluginLoadError) {
        var info = stat()
        guard stat(path, &info) == 0 else {
            throw PluginLoadError(file: path, check: .file, detail: "cannot stat: \(String(cString: strerror(errno)))")
        }
        guard info.st_mode & S_IFMT == S_IFREG else {
            throw PluginLoadError(file: path, check: .file, detail: "is not a regular file (found \(Self.kind(of: info.st_mode)))")
        }
        try checkOwnerAndMode(info, of: path, what: "file")
        guard Int(info.st_size) <= maxFileSize else {
            throw PluginLoadError(file: path, check: .file, detail: "is \(info.st_size) bytes, more than the \(maxFileSize)-byte limit")
        }
    }

    private func checkDirectory(_ directory: String) throws(PluginLoadError) {
        var info = stat()
        guard stat(directory.isEmpty ? "." : directory, &info) == 0 else {
            throw PluginLoadError(file: directory, check: .file, detail: "cannot stat the plugin's directory: \(String(cString: strerror(errno)))")
        }
        try checkOwnerAndMode(info, of: directory, what: "directory")
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

    private func read(_ path: String) throws(PluginLoadError) -> [UInt8] {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw PluginLoadError(file: path, check: .file, detail: "cannot open for reading: \(String(cString: strerror(errno)))")
        }
        defer { try? handle.close() }
        do {
            return Array(try handle.readToEnd() ?? Data())
        } catch {
            throw PluginLoadError(file: path, check: .file, detail: "cannot read: \(error.localizedDescription)")
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
