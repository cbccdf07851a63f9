import CrackerjackOutput
import Foundation
#if canImport(Glibc)
import Glibc
#endif
import PluginKit

/// Copies a project folder into a run's work directory without following anything out of it:
/// folders and regular files are copied (permission bits kept), a symbolic link only when its
/// target is relative and stays inside the project (a link out, or an absolute one, would let a
/// tool that rewrites files reach the original or anything else), and FIFOs, sockets and
/// devices never (reading a FIFO would block). Names in `exclude` are skipped at any depth.
struct ProjectCopy {
    /// What the copy did.
    struct Summary: Sendable, Encodable {
        var files = 0
        var bytes = 0
        /// Entries left out, relative to the project, with why (at most ``skippedLimit``).
        var skipped: [String] = []
        var skippedCount = 0

        enum CodingKeys: String, CodingKey {
            case files, bytes, skipped
            case skippedCount = "skipped_count"
        }
    }

    static let skippedLimit = 50

    let source: String
    let destination: String
    let exclude: Set<String>
    let maxBytes: Int

    /// Copies `source` into `destination` (which must not exist yet).
    func copy() throws(PluginError) -> Summary {
        var summary = Summary()
        try copyFolder(source, to: destination, relative: "", summary: &summary)
        return summary
    }

    private func copyFolder(_ from: String, to: String, relative: String, summary: inout Summary) throws(PluginError) {
        var info = stat()
        guard lstat(from, &info) == 0 else { throw failure("cannot read", from) }
        guard mkdir(to, (info.st_mode & 0o7777) | 0o700) == 0 else { throw failure("cannot make", to) }
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: from).sorted()
        } catch {
            throw .unavailable("run: cannot list \(from) to copy it: \(error.localizedDescription)")
        }
        for name in names {
            let path = relative.isEmpty ? name : relative + "/" + name
            if exclude.contains(name) {
                note("\(path) (excluded by config.exclude)", &summary)
                continue
            }
            let source = from + "/" + name, target = to + "/" + name
            var entry = stat()
            guard lstat(source, &entry) == 0 else { throw failure("cannot read", source) }
            switch entry.st_mode & S_IFMT {
            case S_IFDIR:
                try copyFolder(source, to: target, relative: path, summary: &summary)
            case S_IFREG:
                summary.bytes += Int(entry.st_size)
                guard summary.bytes <= maxBytes else {
                    throw .invalidArgument("run: project \(self.source) holds more than \(maxBytes) bytes of files (config.max_project_bytes); reached at \(path)")
                }
                try copyFile(source, to: target, mode: entry.st_mode & 0o7777)
                summary.files += 1
            case S_IFLNK:
                copyLink(source, to: target, relative: path, summary: &summary)
            default:
                note("\(path) (\(FileSystemPath.describe(entry.st_mode & S_IFMT)), not copied)", &summary)
            }
        }
    }

    private func copyFile(_ from: String, to: String, mode: mode_t) throws(PluginError) {
        let input = open(from, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
        guard input >= 0 else { throw failure("cannot open", from) }
        defer { close(input) }
        let output = open(to, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode | 0o600)
        guard output >= 0 else { throw failure("cannot create", to) }
        defer { close(output) }
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(input, $0.baseAddress, $0.count) }
            if count == 0 { break }
            if count < 0 {
                if errno == EINTR { continue }
                throw failure("cannot read", from)
            }
            var written = 0
            while written < count {
                let result = buffer.withUnsafeBytes { write(output, $0.baseAddress! + written, count - written) }
                if result < 0 {
                    if errno == EINTR { continue }
                    throw failure("cannot write", to)
                }
                written += result
            }
        }
        fchmod(output, mode)
    }

    private func copyLink(_ from: String, to: String, relative: String, summary: inout Summary) {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let count = readlink(from, &buffer, buffer.count - 1)
        guard count >= 0 else {
            note("\(relative) (unreadable symbolic link)", &summary)
            return
        }
        let target = String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        guard Self.staysInside(target, linkPath: relative) else {
            note("\(relative) (symbolic link to \(target), which leaves the project)", &summary)
            return
        }
        if symlink(target, to) != 0 {
            note("\(relative) (symbolic link not recreated: \(FileSystemPath.errorText(errno)))", &summary)
        }
    }

    /// Whether a relative link target, taken from the link's folder, stays inside the project
    /// (judged on the names alone; a link through another link is judged link by link).
    static func staysInside(_ target: String, linkPath: String) -> Bool {
        guard !target.hasPrefix("/"), !target.isEmpty else { return false }
        var depth = linkPath.split(separator: "/").count - 1
        for part in target.split(separator: "/") {
            switch part {
            case ".": continue
            case "..":
                depth -= 1
                if depth < 0 { return false }
            default: depth += 1
            }
        }
        return true
    }

    private func note(_ entry: String, _ summary: inout Summary) {
        summary.skippedCount += 1
        if summary.skipped.count < Self.skippedLimit { summary.skipped.append(entry) }
    }

    private func failure(_ what: String, _ path: String) -> PluginError {
        .unavailable("run: \(what) \(path) while copying the project: \(FileSystemPath.errorText(errno))")
    }
}
