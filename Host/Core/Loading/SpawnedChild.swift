import CCapHostSupport
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A child process in its own process group, with a report channel on fd 3,
/// its stdout/stderr captured (the first 16 KiB) for diagnostics, and its
/// stdin a pipe holding `input` — how a secret reaches the child without
/// appearing in its command line or environment (`/proc/PID/cmdline` and
/// `environ` are readable by other local users; a pipe is not).
final class SpawnedChild {
    struct SpawnError: Error, CustomStringConvertible {
        let description: String
    }

    /// How a child ended.
    struct Termination {
        let exitCode: Int32?
        let signal: Int32?
    }

    let pid: pid_t
    private let reportFD: Int32
    private let outputFD: Int32
    private var output: [UInt8] = []
    private var reaped: Termination?

    private init(pid: pid_t, reportFD: Int32, outputFD: Int32) {
        self.pid = pid
        self.reportFD = reportFD
        self.outputFD = outputFD
    }

    deinit {
        close(reportFD)
        close(outputFD)
        if reaped == nil { killGroup(); _ = wait() }
    }

    /// Largest `input`: what a pipe can be grown to hold (Linux's default pipe-max-size).
    static let maxInputBytes = 1 << 20

    static func spawn(arguments: [String], input: [UInt8] = []) throws -> SpawnedChild {
        var inputPipe: [Int32] = [0, 0]
        guard caphost_pipe_cloexec(&inputPipe) == 0 else {
            throw SpawnError(description: "pipe: \(String(cString: strerror(errno)))")
        }
        defer { close(inputPipe[0]) }
        // All of `input` goes into the pipe before the child exists: no writer
        // thread, and no SIGPIPE if the child dies without reading it.
        do {
            defer { close(inputPipe[1]) }
            try fill(inputPipe[1], with: input)
        }
        var reportPipe: [Int32] = [0, 0]
        var outputPipe: [Int32] = [0, 0]
        guard caphost_pipe_cloexec(&reportPipe) == 0 else {
            throw SpawnError(description: "pipe: \(String(cString: strerror(errno)))")
        }
        guard caphost_pipe_cloexec(&outputPipe) == 0 else {
            close(reportPipe[0]); close(reportPipe[1])
            throw SpawnError(description: "pipe: \(String(cString: strerror(errno)))")
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, inputPipe[0], 0)
        posix_spawn_file_actions_adddup2(&actions, outputPipe[1], 1)
        posix_spawn_file_actions_adddup2(&actions, outputPipe[1], 2)
        posix_spawn_file_actions_adddup2(&actions, reportPipe[1], 3)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP))
        posix_spawnattr_setpgroup(&attributes, 0)

        var pid: pid_t = 0
        let cArguments = arguments.map { strdup($0) } + [nil]
        defer { cArguments.forEach { free($0) } }
        let result = posix_spawn(&pid, arguments[0], &actions, &attributes, cArguments, environ)
        close(reportPipe[1])
        close(outputPipe[1])
        guard result == 0 else {
            close(reportPipe[0])
            close(outputPipe[0])
            throw SpawnError(description: String(cString: strerror(result)))
        }
        return SpawnedChild(pid: pid, reportFD: reportPipe[0], outputFD: outputPipe[0])
    }

    /// Writes all of `input` into the (empty) pipe `fd`, growing it first if it would not fit.
    private static func fill(_ fd: Int32, with input: [UInt8]) throws {
        guard !input.isEmpty else { return }
        guard input.count <= maxInputBytes else {
            throw SpawnError(description: "the input for the child is \(input.count) bytes; at most \(maxInputBytes) bytes go through its stdin pipe")
        }
        let setPipeSize: Int32 = 1031  // F_SETPIPE_SZ
        let getPipeSize: Int32 = 1032  // F_GETPIPE_SZ
        if Int(fcntl(fd, getPipeSize)) < input.count && fcntl(fd, setPipeSize, Int32(input.count)) < 0 {
            throw SpawnError(description: "cannot grow the child's stdin pipe to \(input.count) bytes: \(String(cString: strerror(errno)))")
        }
        var written = 0
        while written < input.count {
            let count = input.withUnsafeBytes { write(fd, $0.baseAddress! + written, $0.count - written) }
            if count < 0 {
                if errno == EINTR { continue }
                throw SpawnError(description: "cannot write the child's stdin: \(String(cString: strerror(errno)))")
            }
            written += count
        }
    }

    /// Reads report lines until the child closes fd 3 or `deadline` (uptime ns) passes.
    func lines(until deadline: UInt64, timedOut: inout Bool) -> [String] {
        var pending: [UInt8] = []
        var lines: [String] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        var reportOpen = true
        while reportOpen {
            let now = DispatchTime.now().uptimeNanoseconds
            guard now < deadline else { timedOut = true; break }
            var fds = [pollfd(fd: reportFD, events: Int16(POLLIN), revents: 0),
                       pollfd(fd: outputFD, events: Int16(POLLIN), revents: 0)]
            let waitMilliseconds = Int32(min(1000, max(1, (deadline - now) / 1_000_000)))
            let ready = poll(&fds, 2, waitMilliseconds)
            if ready < 0 { if errno == EINTR { continue }; break }
            if fds[1].revents != 0 {
                let count = read(outputFD, &buffer, buffer.count)
                if count > 0 && output.count < 16_384 { output += buffer[0..<min(count, 16_384 - output.count)] }
            }
            if fds[0].revents != 0 {
                let count = read(reportFD, &buffer, buffer.count)
                if count <= 0 { reportOpen = false; break }
                pending += buffer[0..<count]
                while let newline = pending.firstIndex(of: 0x0A) {
                    lines.append(String(decoding: pending[..<newline], as: UTF8.self))
                    pending.removeSubrange(...newline)
                }
            }
        }
        return lines
    }

    /// What the child printed on stdout/stderr (first 16 KiB), trimmed.
    var diagnostics: String {
        String(decoding: output, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func killGroup() {
        kill(-pid, SIGKILL)
        kill(pid, SIGKILL)
    }

    /// Waits for the child to end (idempotent).
    func wait() -> Termination {
        if let reaped { return reaped }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let termination: Termination
        if status & 0x7F == 0 {
            termination = Termination(exitCode: (status >> 8) & 0xFF, signal: nil)
        } else {
            termination = Termination(exitCode: nil, signal: status & 0x7F)
        }
        reaped = termination
        return termination
    }
}

/// Signal names for messages (`SIGSEGV`).
enum SignalName {
    static func of(_ signal: Int32) -> String {
        switch signal {
        case SIGSEGV: "SIGSEGV"
        case SIGBUS: "SIGBUS"
        case SIGABRT: "SIGABRT"
        case SIGILL: "SIGILL"
        case SIGFPE: "SIGFPE"
        case SIGKILL: "SIGKILL"
        case SIGTERM: "SIGTERM"
        case SIGTRAP: "SIGTRAP"
        case SIGPIPE: "SIGPIPE"
        case SIGXCPU: "SIGXCPU"
        case SIGXFSZ: "SIGXFSZ"
        default: "signal \(signal)"
        }
    }
}
