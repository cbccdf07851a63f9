import CrackerjackOutput
#if canImport(Glibc)
import Glibc
#endif
import PluginKit

/// A project folder a run may check: the path as asked, and its real path (symlinks and `..`
/// resolved) inside one of the allowed roots.
struct ProjectLocation: Sendable {
    /// The path as the payload gave it.
    let requested: String
    /// The real path.
    let resolved: String

    /// The folder's own name (the copy keeps it: crackerjack names the project after it).
    var name: String { resolved == "/" ? "project" : String(resolved.split(separator: "/").last ?? "project") }

    /// Resolves `path` and checks it: absolute, existing, a folder, inside `allowedRoots`, and
    /// not holding `workParent` (a copy into itself would never end). Every refusal is
    /// ``PluginError/invalidArgument(_:)`` naming the path and the roots.
    static func resolve(_ path: String, allowedRoots: [String], workParent: String) throws(PluginError) -> ProjectLocation {
        let roots = allowedRoots.joined(separator: ", ")
        guard path.hasPrefix("/") else {
            throw .invalidArgument("run: project must be an absolute path, found \"\(path)\" (allowed roots: \(roots))")
        }
        guard let resolved = FileSystemPath.realPath(path) else {
            let code = errno
            let reason = code == ENOENT ? "does not exist" : "cannot be resolved (\(FileSystemPath.errorText(code)))"
            throw .invalidArgument("run: project \"\(path)\" \(reason) (allowed roots: \(roots))")
        }
        guard let type = FileSystemPath.fileType(resolved), type == S_IFDIR else {
            let kind = FileSystemPath.fileType(resolved).map(FileSystemPath.describe) ?? "unreadable"
            throw .invalidArgument("run: project \"\(path)\" is not a folder (it is \(kind)) (allowed roots: \(roots))")
        }
        guard allowedRoots.contains(where: { FileSystemPath.isWithin(resolved, root: $0) }) else {
            let shown = resolved == path ? "\"\(path)\"" : "\"\(path)\" (really \"\(resolved)\")"
            throw .invalidArgument("run: project \(shown) is outside the allowed roots: \(roots)")
        }
        guard !FileSystemPath.isWithin(workParent, root: resolved) else {
            throw .invalidArgument("run: project \"\(path)\" contains the plugin's work folder \(workParent); choose a project below it or move config.work_parent")
        }
        return ProjectLocation(requested: path, resolved: resolved)
    }
}
