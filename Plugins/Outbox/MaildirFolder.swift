#if canImport(Glibc)
import Glibc
#endif
import Foundation
import PluginKit

/// A maildir-style folder (`tmp/`, `new/`, `cur/`): a message is written whole into `tmp/`,
/// synced, then renamed into `new/`, so a reader never sees half a file and a crash leaves at
/// most a stray file in `tmp/`.
struct MaildirFolder: Sendable {
    let root: String

    var tmp: String { root + "/tmp" }
    var new: String { root + "/new" }
    var cur: String { root + "/cur" }

    /// Opens the folder, creating it and its three subfolders (mode 0700) when missing.
    init(root: String) throws(PluginError) {
        self.root = root
        for directory in [root, tmp, new, cur] {
            do {
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true,
                                                        attributes: [.posixPermissions: 0o700])
            } catch {
                throw PluginError.unavailable("outbox: cannot create folder \(directory): \(error.localizedDescription)")
            }
        }
    }

    /// The path in `new/` or `cur/` of a message whose name starts with `base` (readers add
    /// `:2,FLAGS` when they move it to `cur/`), if one was delivered.
    func delivered(base: String) -> String? {
        for directory in [new, cur] {
            guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { continue }
            if let name = names.first(where: { $0 == base || $0.hasPrefix(base + ":") }) { return directory + "/" + name }
        }
        return nil
    }

    /// Writes `bytes` as `tmp/NAME`, syncs it, renames it to `new/NAME` and syncs `new/`.
    /// Returns the final path.
    func deliver(_ bytes: [UInt8], name: String) throws(PluginError) -> String {
        let staging = tmp + "/" + name
        let final = new + "/" + name
        let descriptor = open(staging, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw failure("create \(staging)") }
        var written = 0
        while written < bytes.count {
            let result = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress! + written, $0.count - written) }
            if result < 0 && errno == EINTR { continue }
            guard result > 0 else {
                let error = failure("write \(staging)")
                close(descriptor)
                unlink(staging)
                throw error
            }
            written += result
        }
        guard fsync(descriptor) == 0 else {
            let error = failure("sync \(staging)")
            close(descriptor)
            unlink(staging)
            throw error
        }
        close(descriptor)
        guard rename(staging, final) == 0 else {
            let error = failure("move \(staging) into new/")
            unlink(staging)
            throw error
        }
        syncDirectory(new)
        return final
    }

    /// Proves the folder is writable now: creates and removes a probe file in `tmp/`.
    func checkWritable() throws(PluginError) {
        let probe = tmp + "/.health-\(getpid())-\(UInt64.random(in: 0...UInt64.max))"
        let descriptor = open(probe, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw failure("write a probe file in \(tmp)") }
        close(descriptor)
        unlink(probe)
        for directory in [new, cur] where access(directory, W_OK) != 0 {
            throw failure("write into \(directory)")
        }
    }

    private func syncDirectory(_ path: String) {
        let descriptor = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { return }
        fsync(descriptor)
        close(descriptor)
    }

    private func failure(_ action: String) -> PluginError {
        let code = errno
        return PluginError.unavailable("outbox: cannot \(action): \(String(cString: strerror(code))) (errno \(code))")
    }
}
