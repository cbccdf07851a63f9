import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// One running host per state directory: two would both deliver the durable
/// journal and each would put the other's in-flight deliveries back to
/// pending. An exclusive `flock` on `<state>/serve.lock`, which the kernel
/// releases when the process ends, however it ends (kill -9 included).
final class StateDirectoryLock: Sendable {
    private let descriptor: Int32

    init(stateDirectory: String) throws {
        let path = (stateDirectory as NSString).appendingPathComponent("serve.lock")
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw StateDirectoryLockError(description: "cannot open \(path): \(String(cString: strerror(errno)))")
        }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            var holder = [UInt8](repeating: 0, count: 32)
            let count = pread(descriptor, &holder, holder.count, 0)
            let pid = count > 0 ? String(decoding: holder[..<count], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) : "?"
            close(descriptor)
            throw StateDirectoryLockError(description: "another caphost (pid \(pid)) is serving from \(stateDirectory); stop it first or give this one its own --state-dir")
        }
        ftruncate(descriptor, 0)
        let text = Array("\(getpid())\n".utf8)
        _ = pwrite(descriptor, text, text.count, 0)
        self.descriptor = descriptor
    }

    deinit { close(descriptor) }
}

/// The state directory is in use by another host.
public struct StateDirectoryLockError: Error, CustomStringConvertible, Sendable {
    public let description: String
}
