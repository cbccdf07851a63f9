import CCapHostSupport
import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// One `caphost-runner --serve` process: its pid (leader of its own process group), its
/// control channel, and how it ended. Several threads may learn of its end (a caller whose
/// channel closed, the control reader); only the control reader reaps it.
final class IsolatedChild: @unchecked Sendable {
    let pid: pid_t
    /// Counts the children of one isolated plugin: 1 for the first, +1 per restart.
    let generation: Int
    let control: IsolationChannel
    /// Serialises writers of the control channel (service replies, new call channels).
    let controlWrite = Mutex<Void>(())
    /// Why the host killed it, when it did (the first reason wins).
    private let killReason = Mutex<String?>(nil)
    private let endCondition = NSCondition()
    private var endText: String?
    /// Set once the host has handled its end (breakers, restart or quarantine).
    let endHandled = Mutex<Bool>(false)

    init(pid: pid_t, generation: Int, control: IsolationChannel) {
        self.pid = pid
        self.generation = generation
        self.control = control
    }

    /// Kills the process group; `reason` (when the host decided it) names the end.
    func kill(reason: String?) {
        if let reason { killReason.withLock { if $0 == nil { $0 = reason } } }
        Glibc.kill(-pid, SIGKILL)
        Glibc.kill(pid, SIGKILL)
    }

    /// Reaps the process (blocking) and publishes how it ended. Called once, by the control reader.
    func reap() {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        // Whatever the plugin forked into the group goes with it.
        Glibc.kill(-pid, SIGKILL)
        let text: String
        if let reason = killReason.withLock({ $0 }) {
            text = "was killed by the host (\(reason))"
        } else if status & 0x7F == 0 {
            text = "exited with status \((status >> 8) & 0xFF)"
        } else {
            text = "died of \(SignalName.of(status & 0x7F))"
        }
        endCondition.lock()
        if endText == nil { endText = text }
        endCondition.broadcast()
        endCondition.unlock()
    }

    /// How it ended, waiting up to `seconds` for the reaper to know; nil if still unknown.
    func end(waitingUpTo seconds: Double) -> String? {
        endCondition.lock()
        defer { endCondition.unlock() }
        let deadline = Date(timeIntervalSinceNow: seconds)
        while endText == nil {
            if !endCondition.wait(until: deadline) { break }
        }
        return endText
    }

    /// A new call channel: one end kept, the other passed to the child over the control channel.
    func openCallChannel(maxBodyBytes: Int) throws(IsolationChannel.Failure) -> IsolationChannel {
        var pair: [Int32] = [-1, -1]
        guard caphost_socketpair_cloexec(&pair) == 0 else { throw .system(errno) }
        defer { Glibc.close(pair[1]) }
        do {
            try controlWrite.withLock { _ throws(IsolationChannel.Failure) in
                try control.send(IsolationFrame(.channel), passing: pair[1])
            }
        } catch {
            Glibc.close(pair[0])
            throw error
        }
        return IsolationChannel(fd: pair[0], maxBodyBytes: maxBodyBytes)
    }

    /// Starts `runner --serve` for `launch` in its own process group, its control socket on
    /// fd 3, stdin from /dev/null, stdout and stderr to the host's stderr (never the host's
    /// stdout, which may be an MCP stdio channel), no other descriptor of the host.
    static func spawn(_ launch: IsolatedPluginProcess.Launch, generation: Int) throws(IsolatedPluginProcess.StartFailure) -> IsolatedChild {
        var pair: [Int32] = [-1, -1]
        guard caphost_socketpair_cloexec(&pair) == 0 else {
            throw .init("socketpair: \(String(cString: strerror(errno)))")
        }
        var arguments = [launch.runnerPath, "--serve", launch.imagePath, "--source", launch.file,
                         "--digest", launch.digest, "--parent", "\(getpid())"]
        if let needed = try? JSONEncoder().encode(launch.neededLibraries) {
            arguments += ["--needed", String(decoding: needed, as: UTF8.self)]
        }
        if launch.limits.memoryBytes > 0 { arguments += ["--memory-bytes", "\(launch.limits.memoryBytes)"] }
        if launch.limits.cpuSeconds > 0 { arguments += ["--cpu-seconds", "\(launch.limits.cpuSeconds)"] }
        if launch.limits.openFiles > 0 { arguments += ["--open-files", "\(launch.limits.openFiles)"] }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, 2, 1)
        posix_spawn_file_actions_adddup2(&actions, pair[1], 3)
        caphost_spawn_close_from(&actions, 4)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // Default dispositions and no blocked signals: what the host's threads ignore or block
        // (SIGPIPE, SIGXCPU for the CPU limit …) must reach the plugin as in any fresh process.
        var everySignal = sigset_t()
        sigfillset(&everySignal)
        var noSignal = sigset_t()
        sigemptyset(&noSignal)
        posix_spawnattr_setsigdefault(&attributes, &everySignal)
        posix_spawnattr_setsigmask(&attributes, &noSignal)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))
        posix_spawnattr_setpgroup(&attributes, 0)
        var pid: pid_t = 0
        let cArguments = arguments.map { strdup($0) } + [nil]
        defer { cArguments.forEach { free($0) } }
        // Swift's crash backtracer would hold a crashed child for a second or more and blur
        // its signal: isolated children die at once, of the plugin's own signal.
        var environment = ProcessInfo.processInfo.environment
        environment["SWIFT_BACKTRACE"] = "enable=no"
        let cEnvironment = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { cEnvironment.forEach { free($0) } }
        let result = posix_spawn(&pid, launch.runnerPath, &actions, &attributes, cArguments, cEnvironment)
        Glibc.close(pair[1])
        guard result == 0 else {
            Glibc.close(pair[0])
            throw .init("cannot start \(launch.runnerPath): \(String(cString: strerror(result)))")
        }
        return IsolatedChild(pid: pid, generation: generation,
                             control: IsolationChannel(fd: pair[0], maxBodyBytes: launch.maxFrameBytes))
    }
}
