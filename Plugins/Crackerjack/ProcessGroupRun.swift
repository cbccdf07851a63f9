import CrackerjackOutput
#if canImport(Glibc)
import Glibc
#endif
import PluginKit

/// One command started with `posix_spawn` as the leader of a new process group, its stdin on
/// /dev/null and its stdout and stderr on pipes, watched without blocking a thread: the pipes
/// are drained and the leader's exit polled between short sleeps, so the calling task stays
/// cancellable and the host thread that runs it sleeps in between.
///
/// At the deadline the whole group gets SIGTERM, and SIGKILL after the grace period; once the
/// leader has ended, whatever is left in its group is killed before the leader is reaped (so the
/// group id cannot have been reused by then).
struct ProcessGroupRun: Sendable {
    /// How the command ended and what it printed.
    struct Outcome: Sendable {
        /// The exit status when it exited; nil when a signal ended it.
        var exitStatus: Int32?
        /// The signal that ended it, if one did.
        var signal: Int32?
        /// Whether the deadline ended it.
        var timedOut = false
        /// Whether the calling task was cancelled (host deadline, shutdown).
        var cancelled = false
        var stdout: BoundedCapture
        var stderr: BoundedCapture
        var duration: Duration = .zero
        /// The process group's id (the leader's pid).
        var processGroup: pid_t = 0
        /// True when a process of the group was still there `settleLimit` after SIGKILL (one
        /// stuck in the kernel, or a zombie nobody reaps).
        var groupLeftBehind = false
    }

    let argv: [String]
    let environment: [String: String]
    let directory: String
    let outputCap: Int
    let killGrace: Duration
    let groups: ActiveProcessGroups

    /// How long the group may take to be gone after SIGKILL.
    static let settleLimit: Duration = .seconds(3)

    /// How often the pipes and the leader are looked at.
    static let pollInterval: Duration = .milliseconds(50)

    /// Starts the command and watches it until it and its group have ended, the deadline (after
    /// SIGTERM, grace, SIGKILL) or cancellation. `onLine` sees each complete stdout line as it
    /// arrives (for progress reports). Throws only when the command cannot be started.
    func run(until deadline: ContinuousClock.Instant, onLine: (Substring) -> Void = { _ in }) async throws(PluginError) -> Outcome {
        let started = ContinuousClock.now
        let (pid, stdoutFD, stderrFD) = try spawn()
        groups.insert(pid)
        var outcome = Outcome(stdout: BoundedCapture(cap: outputCap), stderr: BoundedCapture(cap: outputCap), processGroup: pid)
        var lines = LineAssembler()
        var openStreams: Set<Int32> = [stdoutFD, stderrFD]
        defer {
            close(stdoutFD)
            close(stderrFD)
        }
        var termSentAt: ContinuousClock.Instant?
        var killSent = false

        func drain() {
            if openStreams.contains(stdoutFD), !Self.drain(stdoutFD, into: &outcome.stdout, lines: &lines, onLine: onLine) {
                openStreams.remove(stdoutFD)
            }
            var ignored = LineAssembler()
            if openStreams.contains(stderrFD), !Self.drain(stderrFD, into: &outcome.stderr, lines: &ignored, onLine: { _ in }) {
                openStreams.remove(stderrFD)
            }
        }

        while true {
            drain()
            if let status = Self.exitedStatus(pid) {
                // The leader is a zombie until reaped: the group id is still ours to signal.
                kill(-pid, SIGKILL)
                var raw: Int32 = 0
                while waitpid(pid, &raw, 0) < 0 && errno == EINTR {}
                (outcome.exitStatus, outcome.signal) = status
                // SIGKILL is delivered at once but a process takes a moment to go (and a zombie
                // stays in its group until reaped): answer only once the group is empty. Its
                // members keep the id from being reused meanwhile.
                let settleUntil = ContinuousClock.now + Self.settleLimit
                while !groups.removeIfEmpty(pid) {
                    guard ContinuousClock.now < settleUntil else {
                        outcome.groupLeftBehind = true
                        groups.remove(pid)
                        break
                    }
                    kill(-pid, SIGKILL)
                    if Task.isCancelled { usleep(10_000) } else { try? await Task.sleep(for: .milliseconds(10)) }
                }
                break
            }
            let now = ContinuousClock.now
            if Task.isCancelled, !killSent {
                outcome.cancelled = true
                kill(-pid, SIGKILL)
                killSent = true
            } else if now >= deadline, termSentAt == nil {
                outcome.timedOut = true
                kill(-pid, SIGTERM)
                termSentAt = now
            } else if let termSentAt, !killSent, now - termSentAt >= killGrace {
                kill(-pid, SIGKILL)
                killSent = true
            }
            if Task.isCancelled {
                usleep(20_000)  // the group has had SIGKILL: its end is a matter of moments
            } else {
                try? await Task.sleep(for: Self.pollInterval)
            }
        }
        // A process outside the group (a new session) may still hold a pipe: read what is there
        // for a short while, then stop listening.
        let lingerUntil = ContinuousClock.now + .milliseconds(500)
        while !openStreams.isEmpty && ContinuousClock.now < lingerUntil {
            drain()
            if !openStreams.isEmpty { usleep(10_000) }
        }
        if let rest = lines.finish() { onLine(rest) }
        outcome.duration = ContinuousClock.now - started
        return outcome
    }

    /// Reads everything `fd` has now; false at end of file (or on an error).
    private static func drain(_ fd: Int32, into capture: inout BoundedCapture, lines: inout LineAssembler,
                              onLine: (Substring) -> Void) -> Bool {
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count > 0 {
                buffer.withUnsafeBytes { bytes in
                    let chunk = UnsafeRawBufferPointer(rebasing: bytes[0..<count])
                    capture.append(chunk)
                    lines.append(chunk, onLine: onLine)
                }
                continue
            }
            if count == 0 { return false }
            switch errno {
            case EINTR: continue
            case EAGAIN, EWOULDBLOCK: return true
            default: return false
            }
        }
    }

    /// The leader's (exit status, signal) once it has ended, without reaping it.
    private static func exitedStatus(_ pid: pid_t) -> (Int32?, Int32?)? {
        var info = siginfo_t()
        guard waitid(P_PID, id_t(pid), &info, WEXITED | WNOHANG | WNOWAIT) == 0, info._sifields._sigchld.si_pid == pid else {
            return nil
        }
        let status = info._sifields._sigchld.si_status
        return info.si_code == CLD_EXITED ? (status, nil) : (nil, status)
    }

    /// `posix_spawn` in a new process group; the parent's pipe ends are non-blocking.
    private func spawn() throws(PluginError) -> (pid_t, Int32, Int32) {
        guard let program = ExecutableLookup.find(argv[0], path: environment["PATH"]) else {
            throw .unavailable("cannot start \(argv[0]): \(ExecutableLookup.whyNot(argv[0], path: environment["PATH"]))")
        }
        guard let pipe2 = GlibcExtensions.pipe2, let addChdir = GlibcExtensions.addChdir else {
            throw .unavailable("cannot start \(program): this C library lacks pipe2 or posix_spawn_file_actions_addchdir_np (glibc 2.29 or later is needed)")
        }
        var out: [Int32] = [-1, -1], err: [Int32] = [-1, -1]
        guard pipe2(&out, O_CLOEXEC) == 0 else { throw .unavailable("cannot make a pipe: \(FileSystemPath.errorText(errno))") }
        guard pipe2(&err, O_CLOEXEC) == 0 else {
            let reason = FileSystemPath.errorText(errno)
            close(out[0]); close(out[1])
            throw .unavailable("cannot make a pipe: \(reason)")
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, out[1], 1)
        posix_spawn_file_actions_adddup2(&actions, err[1], 2)
        _ = addChdir(&actions, directory)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        posix_spawnattr_setpgroup(&attributes, 0)
        var none = sigset_t()
        sigemptyset(&none)
        posix_spawnattr_setsigmask(&attributes, &none)
        // Signals the host ignores (SIGPIPE) would stay ignored across exec: reset them.
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGPIPE, SIGINT, SIGQUIT, SIGTERM, SIGHUP, SIGUSR1, SIGUSR2, SIGALRM, SIGCHLD, SIGTSTP, SIGTTIN, SIGTTOU, SIGXFSZ] {
            sigaddset(&defaults, signal)
        }
        posix_spawnattr_setsigdefault(&attributes, &defaults)

        let arguments = argv.map { strdup($0) } + [nil]
        let variables = environment.sorted { $0.key < $1.key }.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for pointer in arguments { free(pointer) }
            for pointer in variables { free(pointer) }
        }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, program, &actions, &attributes, arguments, variables)
        close(out[1])
        close(err[1])
        guard result == 0 else {
            close(out[0]); close(err[0])
            throw .unavailable("cannot start \(program): posix_spawn failed: \(FileSystemPath.errorText(result))")
        }
        for fd in [out[0], err[0]] {
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        }
        return (pid, out[0], err[0])
    }
}
