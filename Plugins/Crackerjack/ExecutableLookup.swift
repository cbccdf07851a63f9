import CrackerjackOutput
#if canImport(Glibc)
import Glibc
#endif

/// Finds a program the way `execvp` would, but in the PATH the child will get (the host's own
/// may differ), and says why not when it cannot.
enum ExecutableLookup {
    /// The program's path: `name` itself when it holds a `/`, else the first executable
    /// `DIR/name` in `path`.
    static func find(_ name: String, path: String?) -> String? {
        if name.contains("/") { return isExecutable(name) ? name : nil }
        for folder in (path ?? "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin").split(separator: ":") where !folder.isEmpty {
            let candidate = "\(folder)/\(name)"
            if isExecutable(candidate) { return candidate }
        }
        return nil
    }

    /// Why ``find(_:path:)`` found nothing, for the operator.
    static func whyNot(_ name: String, path: String?) -> String {
        if name.contains("/") {
            guard let type = FileSystemPath.fileType(name) else { return "\(name) does not exist" }
            if type != S_IFREG { return "\(name) is \(FileSystemPath.describe(type)), not a program" }
            return "\(name) is not executable"
        }
        return "no executable \(name) in PATH \(path ?? "(unset)")"
    }

    private static func isExecutable(_ path: String) -> Bool {
        FileSystemPath.fileType(path) == S_IFREG && access(path, X_OK) == 0
    }
}
