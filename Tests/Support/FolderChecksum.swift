import Crypto
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Every entry below a folder with what identifies its content: a file's SHA-256 and mode, a
/// link's target, a folder's mode. Two equal values mean nothing below the folder changed — the
/// check that a tool run on a copy never touched the original.
public enum FolderChecksum {
    /// Relative path → `file <mode> <sha256>`, `link -> <target>` or `folder <mode>`.
    public static func of(_ root: String) throws -> [String: String] {
        var entries: [String: String] = [:]
        try walk(root, relative: "", into: &entries)
        return entries
    }

    private static func walk(_ folder: String, relative: String, into entries: inout [String: String]) throws {
        for name in try FileManager.default.contentsOfDirectory(atPath: folder).sorted() {
            let path = folder + "/" + name
            let key = relative.isEmpty ? name : relative + "/" + name
            var info = stat()
            guard lstat(path, &info) == 0 else { throw FixtureError("lstat \(path): \(String(cString: strerror(errno)))") }
            let mode = String(info.st_mode & 0o7777, radix: 8)
            switch info.st_mode & S_IFMT {
            case S_IFDIR:
                entries[key] = "folder \(mode)"
                try walk(path, relative: key, into: &entries)
            case S_IFLNK:
                entries[key] = "link -> " + ((try? FileManager.default.destinationOfSymbolicLink(atPath: path)) ?? "?")
            case S_IFREG:
                let data = try Data(contentsOf: URL(fileURLWithPath: path))
                entries[key] = "file \(mode) " + SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
            default:
                entries[key] = "special \(mode)"
            }
        }
    }
}
