import Foundation
#if canImport(Glibc)
import Glibc
#endif
import PluginKit
import Synchronization

/// Runs the configured command with `{args}` = `--version` and remembers the answer for
/// `config.health_interval`. Through the sandbox the answer takes seconds, longer than the
/// host gives a health check, so the check runs in a task of its own: `health` starts it, waits
/// up to `config.health_wait`, and otherwise answers from what it knew before.
final class VersionCheck: Sendable {
    /// One finished check.
    struct Answer: Sendable {
        let healthy: Bool
        /// `crackerjack: 0.91.1`, or what went wrong.
        let detail: String
        let at: ContinuousClock.Instant
    }

    private struct State: Sendable {
        var last: Answer?
        var running: Task<Void, Never>?
        var stopped = false
    }

    private let state = Mutex(State())
    private let configuration: CrackerjackConfiguration
    private let groups: ActiveProcessGroups

    init(configuration: CrackerjackConfiguration, groups: ActiveProcessGroups) {
        self.configuration = configuration
        self.groups = groups
    }

    /// The freshest answer: a fresh one at once; otherwise a new check (unless one is under way),
    /// awaited for at most `wait`; nil when none has ever finished.
    func answer(wait: Duration) async -> Answer? {
        let now = ContinuousClock.now
        let fresh: Answer? = state.withLock { state in
            if let last = state.last, now - last.at < configuration.healthInterval { return last }
            if state.running == nil, !state.stopped {
                state.running = Task.detached { [self] in
                    let answer = await check()
                    self.state.withLock { state in
                        state.last = answer
                        state.running = nil
                    }
                }
            }
            return nil
        }
        if let fresh { return fresh }
        let until = ContinuousClock.now + wait
        while ContinuousClock.now < until {
            let done = state.withLock { $0.running == nil }
            if done { break }
            try? await Task.sleep(for: .milliseconds(20))
            if Task.isCancelled { break }
        }
        return state.withLock { $0.last }
    }

    /// Cancels a check under way (its process group is killed) and waits for it.
    func stop() async {
        let running = state.withLock { state in
            state.stopped = true
            return state.running
        }
        running?.cancel()
        await running?.value
    }

    /// The argv a check runs (for messages; the folders are a check's own).
    func describedCommand() -> String {
        CommandTemplate.quoted(configuration.command.elements.flatMap { $0 == "{args}" ? ["--version"] : [$0] })
    }

    private func check() async -> Answer {
        let folders: RunFolders
        do {
            folders = try RunFolders.make(in: configuration.workParent, prefix: "crackerjack-version", projectName: "version-check", makeWorkDirectory: true)
        } catch {
            return Answer(healthy: false, detail: error.message, at: .now)
        }
        defer { folders.remove() }
        let argv = configuration.command.expanded(arguments: ["--version"], folders: folders)
        let process = ProcessGroupRun(argv: argv, environment: configuration.childEnvironment(folders), directory: folders.workDirectory,
                                      outputCap: 64 << 10, killGrace: .seconds(1), groups: groups)
        let outcome: ProcessGroupRun.Outcome
        do {
            outcome = try await process.run(until: .now + configuration.healthTimeout)
        } catch {
            return Answer(healthy: false, detail: error.message, at: .now)
        }
        let said = (outcome.stdout.text + "\n" + outcome.stderr.text)
            .split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        if outcome.timedOut || outcome.cancelled {
            return Answer(healthy: false, detail: "did not answer within \(configuration.healthTimeout) (config.health_timeout); killed", at: .now)
        }
        guard outcome.exitStatus == 0 else {
            let ending = outcome.exitStatus.map { "exit status \($0)" } ?? "signal \(outcome.signal ?? 0)"
            return Answer(healthy: false, detail: "ended with \(ending): \(said.suffix(3).joined(separator: " | ").prefix(600))", at: .now)
        }
        let version = said.first { $0.lowercased().contains("crackerjack") } ?? said.first ?? "(no output)"
        return Answer(healthy: true, detail: version, at: .now)
    }
}
