import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Loads a plugin in a short-lived `caphost-runner --probe` child first
/// (GStreamer's scanner): a plugin that crashes or hangs there is quarantined
/// with the signal or timeout named and never touches the host.
public struct PluginProbe: Sendable {
    /// The result of one probe.
    public enum Outcome: Sendable {
        /// The child ran every phase; the report says what it found.
        case completed(ProbeReport)
        /// The child died of a signal during `phase`.
        case crashed(signal: Int32, phase: String, report: ProbeReport)
        /// The child did not finish within the timeout; it was killed during `phase`.
        case hung(timeout: Duration, phase: String, report: ProbeReport)
        /// The runner itself could not run (missing binary, bad exit).
        case runnerFailed(String)
    }

    public let runnerPath: String
    public let timeout: Duration

    public init(runnerPath: String, timeout: Duration) {
        self.runnerPath = runnerPath
        self.timeout = timeout
    }

    /// Finds `caphost-runner` beside the running executable (or test bundle).
    public static func locateRunner(explicit: String? = nil) -> String? {
        if let explicit { return FileManager.default.isExecutableFile(atPath: explicit) ? explicit : nil }
        let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        var directory = (executable as NSString).deletingLastPathComponent
        for _ in 0..<3 {
            let candidate = (directory as NSString).appendingPathComponent("caphost-runner")
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            directory = (directory as NSString).deletingLastPathComponent
        }
        return nil
    }

    /// Probes `file` with `config`, optionally calling one method and counting
    /// threads left after destroy (which costs a 200 ms wait). Blocks the
    /// calling thread for at most `timeout`: call it off the cooperative pool.
    /// `digest`, when given, is the file's SHA-256 (the child then does not hash it again);
    /// `neededLibraries` with it are the file's `DT_NEEDED` entries (then it does not read it).
    public func run(file: String, config: [UInt8], digest: String? = nil, neededLibraries: [String]? = nil,
                    invocation: ProbeInvocation? = nil, checkThreads: Bool = false) -> Outcome {
        // The config (with its ${ENV} secrets resolved) goes through the child's stdin,
        // never its command line or environment, which other local users can read.
        var arguments = [runnerPath, "--probe", file, "--config-stdin"]
        if let digest { arguments += ["--digest", digest] }
        if let neededLibraries, let list = try? JSONEncoder().encode(neededLibraries) {
            arguments += ["--needed", String(decoding: list, as: UTF8.self)]
        }
        if let invocation {
            arguments += ["--invoke", invocation.method, "--payload", invocation.payload]
            if let capability = invocation.capability { arguments += ["--capability", capability] }
        }
        if checkThreads { arguments.append("--check-threads") }
        let child: SpawnedChild
        do {
            child = try SpawnedChild.spawn(arguments: arguments, input: config.isEmpty ? Array("{}".utf8) : config)
        } catch {
            return .runnerFailed("cannot start \(runnerPath): \(error)")
        }
        var phase = "start"
        var report = ProbeReport()
        var finalReport: ProbeReport?
        let deadline = DispatchTime.now().uptimeNanoseconds + UInt64(max(0, timeout.nanoseconds))
        var timedOut = false
        for line in child.lines(until: deadline, timedOut: &timedOut) {
            if line.hasPrefix("phase ") {
                phase = String(line.dropFirst(6))
                if let last = report.phases.last, last == phase { continue }
            } else if line.hasPrefix("report ") {
                finalReport = try? JSONDecoder().decode(ProbeReport.self, from: Data(line.dropFirst(7).utf8))
            }
        }
        if let finalReport { report = finalReport }
        if timedOut {
            child.killGroup()
            _ = child.wait()
            return .hung(timeout: timeout, phase: phase, report: report)
        }
        let status = child.wait()
        if let signal = status.signal { return .crashed(signal: signal, phase: phase, report: report) }
        guard finalReport != nil else {
            return .runnerFailed("caphost-runner exited with status \(status.exitCode ?? -1) without a report during \(phase): \(child.diagnostics)")
        }
        return .completed(report)
    }
}
