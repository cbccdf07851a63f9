#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// The process groups of runs under way, so that shutdown can end them all.
final class ActiveProcessGroups: Sendable {
    private let groups = Mutex<Set<pid_t>>([])

    func insert(_ pid: pid_t) { _ = groups.withLock { $0.insert(pid) } }
    func remove(_ pid: pid_t) { _ = groups.withLock { $0.remove(pid) } }

    /// Forgets `pid`'s group once no process is left in it. Under the same lock as
    /// ``killAll()``, so that never signals a group id that a new process has taken since.
    func removeIfEmpty(_ pid: pid_t) -> Bool {
        groups.withLock { groups in
            guard kill(-pid, 0) != 0, errno == ESRCH else { return false }
            groups.remove(pid)
            return true
        }
    }
    var count: Int { groups.withLock { $0.count } }

    /// SIGKILL to every group under way (their runs then finish on their own).
    func killAll() {
        groups.withLock { groups in
            for pid in groups { kill(-pid, SIGKILL) }
        }
    }
}
