import CrackerjackOutput
import Foundation
#if canImport(Glibc)
import Glibc
#endif
import PluginKit

/// `run`: check the payload, copy the project, run crackerjack in its own process group within
/// the time limit, parse, clean up, report.
extension CrackerjackPlugin {
    /// The time kept back from the call's own deadline: the group's grace period plus a second
    /// for parsing and removing the run folder, so a run cut by the caller's deadline still
    /// answers with `timed_out`.
    var cleanupMargin: Duration { configuration.killGrace + .seconds(1) }

    func run(_ request: PluginRequest) async throws(PluginError) -> PluginResponse {
        let checked: RunRequest
        let location: ProjectLocation
        do {
            checked = try RunRequest(payload: request.payload, defaultTimeout: configuration.defaultTimeout, maxTimeout: configuration.maxTimeout)
            location = try ProjectLocation.resolve(checked.project, allowedRoots: configuration.allowedRoots, workParent: configuration.workParent)
        } catch {
            context.metric(.counter, "crackerjack_runs_total", labels: ["outcome": "rejected", "mode": "none"], value: 1)
            throw error
        }
        guard runsUnderWay.withLock({ count in
            guard count < configuration.maxConcurrentRuns else { return false }
            count += 1
            return true
        }) else {
            context.metric(.counter, "crackerjack_runs_total", labels: ["outcome": "rejected", "mode": checked.mode.name], value: 1)
            throw .rateLimited("run: \(configuration.maxConcurrentRuns) crackerjack runs are already under way (config.max_concurrent_runs); try again when one has finished")
        }
        context.metric(.gauge, "crackerjack_runs_in_progress", value: Double(runsUnderWay.withLock { $0 }))
        defer {
            let left = runsUnderWay.withLock { count in
                count -= 1
                return count
            }
            context.metric(.gauge, "crackerjack_runs_in_progress", value: Double(left))
        }
        let number = runNumbers.withLock { count in
            count += 1
            return count
        }
        do {
            return try await run(checked, at: location, number: number, deadline: request.deadline)
        } catch {
            context.metric(.counter, "crackerjack_runs_total", labels: ["outcome": "error", "mode": checked.mode.name], value: 1)
            context.log(.warning, "crackerjack run \(number): \(error.message)")
            throw error
        }
    }

    private func run(_ checked: RunRequest, at location: ProjectLocation, number: Int,
                     deadline callDeadline: PluginDeadline?) async throws(PluginError) -> PluginResponse {
        let started = ContinuousClock.now
        let folders = try RunFolders.make(in: configuration.workParent, projectName: location.name)
        var removed = false
        defer { if !removed { folders.remove() } }

        let copy = try ProjectCopy(source: location.resolved, destination: folders.workDirectory,
                                   exclude: configuration.exclude, maxBytes: configuration.maxProjectBytes).copy()
        var limit = checked.timeout
        if let callDeadline {
            let room = callDeadline.remaining - cleanupMargin
            guard room > .zero else {
                throw .timeout("run: the call's deadline (\(callDeadline)) leaves no time to run crackerjack after copying the project; allow at least \(cleanupMargin) more")
            }
            limit = min(limit, room)
        }
        let argv = configuration.command.expanded(arguments: checked.mode.arguments, folders: folders)
        let tool: String? = if case .tool(let name) = checked.mode { name } else { nil }
        context.log(.info, "crackerjack run \(number): \(location.resolved) mode \(checked.mode.name)\(tool.map { " tool \($0)" } ?? ""), \(copy.files) files copied to \(folders.workDirectory), limit \(limit); \(CommandTemplate.quoted(argv))")

        let process = ProcessGroupRun(argv: argv, environment: configuration.childEnvironment(folders), directory: folders.workDirectory,
                                      outputCap: configuration.outputCapBytes, killGrace: configuration.killGrace, groups: groups)
        let outcome = try await process.run(until: .now + limit) { line in
            reportProgress(line, run: number)
        }
        if outcome.cancelled {
            removed = folders.remove()
            throw .timeout("run: cancelled after \(Self.format(outcome.duration)) s (the call's deadline passed or the plugin is shutting down); crackerjack's process group \(outcome.processGroup) was killed")
        }

        let parsed = VerboseOutputParser(workDirectory: folders.workDirectory).parse(stdout: outcome.stdout.text, stderr: outcome.stderr.text)
        removed = folders.remove()
        if !removed { context.log(.warning, "crackerjack run \(number): could not remove \(folders.root) completely") }
        if outcome.groupLeftBehind {
            context.log(.warning, "crackerjack run \(number): a process of group \(outcome.processGroup) was still there \(ProcessGroupRun.settleLimit) after SIGKILL")
        }

        let passed = outcome.exitStatus == 0 && !outcome.timedOut
        var counts = Dictionary(uniqueKeysWithValues: IssueSeverity.allCases.map { ($0.rawValue, 0) })
        for issue in parsed.issues { counts[issue.severity.rawValue, default: 0] += 1 }
        let report = RunReport(
            project: checked.project, projectResolved: location.resolved, mode: checked.mode.name, tool: tool,
            passed: passed, exitStatus: outcome.exitStatus, signal: outcome.signal.map(Self.signalName),
            timedOut: outcome.timedOut, processGroup: outcome.processGroup, timeoutSeconds: limit.seconds, durationSeconds: (ContinuousClock.now - started).seconds,
            hooks: parsed.hooks, failedHooks: parsed.failedHooks, issues: parsed.issues, issueCounts: counts,
            messages: parsed.messages, summary: parsed.summary,
            output: .init(stdoutBytes: outcome.stdout.total, stderrBytes: outcome.stderr.total,
                          stdoutTruncated: outcome.stdout.truncated, stderrTruncated: outcome.stderr.truncated,
                          capBytes: configuration.outputCapBytes, stderrTail: outcome.stderr.suffix(2_000),
                          stdoutTail: parsed.issues.isEmpty && !passed ? outcome.stdout.suffix(2_000) : nil),
            copy: copy, workDirectoryRemoved: removed)

        let outcomeLabel = outcome.timedOut ? "timed_out" : passed ? "passed" : "failed"
        context.metric(.counter, "crackerjack_runs_total", labels: ["outcome": outcomeLabel, "mode": checked.mode.name], value: 1)
        context.metric(.histogram, "crackerjack_run_duration_seconds", labels: ["mode": checked.mode.name], value: report.durationSeconds)
        for severity in IssueSeverity.allCases where counts[severity.rawValue, default: 0] > 0 {
            context.metric(.counter, "crackerjack_issues_total", labels: ["severity": severity.rawValue],
                           value: Double(counts[severity.rawValue, default: 0]))
        }
        let ending = outcome.timedOut ? "timed out after \(limit) (process group \(outcome.processGroup) ended)"
            : "exit status \(outcome.exitStatus.map(String.init) ?? "none, signal \(outcome.signal.map(Self.signalName) ?? "?")")"
        context.log(outcome.timedOut ? .warning : .info,
                    "crackerjack run \(number): \(outcomeLabel), \(ending), \(Self.format(outcome.duration)) s, \(parsed.issues.count) issues (high \(counts["high"]!), medium \(counts["medium"]!), low \(counts["low"]!)), failed hooks: \(parsed.failedHooks.isEmpty ? "none" : parsed.failedHooks.joined(separator: ", "))\(outcome.stdout.truncated || outcome.stderr.truncated ? "; output truncated at \(configuration.outputCapBytes) bytes per stream" : "")")
        return try .json(report)
    }

    /// Logs each hook's result as crackerjack prints it, and counts it.
    private func reportProgress(_ line: Substring, run number: Int) {
        let text = String(line).trimmingCharacters(in: .whitespaces)
        guard let match = text.wholeMatch(of: VerboseOutputParser.statusLine) else {
            if text.hasPrefix("⏳ Started:") || text.hasPrefix("✅ Completed:") {
                context.log(.debug, "crackerjack run \(number): \(text)")
            }
            return
        }
        let status = VerboseOutputParser.status(mark: String(match.mark))
        context.log(.info, "crackerjack run \(number): hook \(match.name) \(status)")
        context.metric(.counter, "crackerjack_hook_results_total", labels: ["hook": String(match.name), "status": status], value: 1)
    }

    static func signalName(_ signal: Int32) -> String {
        switch signal {
        case SIGTERM: "SIGTERM"
        case SIGKILL: "SIGKILL"
        case SIGINT: "SIGINT"
        case SIGHUP: "SIGHUP"
        case SIGSEGV: "SIGSEGV"
        case SIGABRT: "SIGABRT"
        default: "signal \(signal)"
        }
    }

    static func format(_ duration: Duration) -> String { String(format: "%.1f", duration.seconds) }
}
