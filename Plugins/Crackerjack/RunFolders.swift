import CrackerjackOutput
import Foundation
#if canImport(Glibc)
import Glibc
#endif
import PluginKit

/// One run's private folder (mode 0700) under the configured work parent: the project's copy
/// (`{workdir}`, keeping the project's folder name) and a HOME of its own (`{home}`). Removed
/// whole by ``remove()``.
struct RunFolders: Sendable {
    /// `{rundir}`.
    let root: String
    /// `{workdir}`: the copy crackerjack runs in (and may rewrite).
    let workDirectory: String
    /// `{home}`.
    let home: String

    /// Makes `<parent>/<prefix>-XXXXXX/home` (and `NAME`, the work directory, when
    /// `makeWorkDirectory`; a run's copy makes it otherwise).
    static func make(in parent: String, prefix: String = "crackerjack-run", projectName: String,
                     makeWorkDirectory: Bool = false) throws(PluginError) -> RunFolders {
        var template = Array("\(parent)/\(prefix)-XXXXXX".utf8CString)
        guard let made = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
            throw .unavailable("run: cannot make a run folder in \(parent) (config.work_parent): \(FileSystemPath.errorText(errno))")
        }
        let root = String(cString: made)
        let folders = RunFolders(root: root, workDirectory: root + "/" + projectName, home: root + "/home")
        for folder in makeWorkDirectory ? [folders.home, folders.workDirectory] : [folders.home] where mkdir(folder, 0o700) != 0 {
            let reason = FileSystemPath.errorText(errno)
            folders.remove()
            throw .unavailable("run: cannot make \(folder): \(reason)")
        }
        return folders
    }

    /// `text` with `{workdir}`, `{rundir}` and `{home}` replaced.
    func substitute(_ text: String) -> String {
        guard text.contains("{") else { return text }
        return text.replacingOccurrences(of: "{workdir}", with: workDirectory)
            .replacingOccurrences(of: "{rundir}", with: root)
            .replacingOccurrences(of: "{home}", with: home)
    }

    /// Removes the folder and everything in it (symlinks are removed, never followed); true when
    /// nothing is left.
    @discardableResult
    func remove() -> Bool {
        try? FileManager.default.removeItem(atPath: root)
        if FileSystemPath.fileType(root, following: false) != nil {
            makeWritable(root)
            try? FileManager.default.removeItem(atPath: root)
        }
        return FileSystemPath.fileType(root, following: false) == nil
    }

    /// Tools leave read-only folders (caches); as a non-root user they could not be emptied.
    private func makeWritable(_ folder: String) {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else { return }
        chmod(folder, 0o700)
        for name in names {
            let path = folder + "/" + name
            if FileSystemPath.fileType(path, following: false) == S_IFDIR { makeWritable(path) }
        }
    }
}
