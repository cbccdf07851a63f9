import CCapHostSupport
import Foundation

/// Where a plugin file runs, as decided for one load.
struct PluginPlacement: Sendable, Hashable {
    let mode: IsolationSettings.Mode
    /// Why: which setting chose it, or what moved the plugin.
    let reason: String
}

/// Isolated mode in the host: choosing each file's placement, starting its process, and
/// turning the process's ends and restarts into breakers, events and quarantine.
extension CapabilityHost {
    static func stem(of file: String) -> String {
        ((file as NSString).lastPathComponent as NSString).deletingPathExtension
    }

    /// Where `file` runs: an override the host recorded (a host crash during its call, its call
    /// threads exhausted) wins over the configuration; an override that refuses it fails the load.
    func placement(for file: String) -> Result<PluginPlacement, PluginLoadError> {
        let stem = Self.stem(of: file)
        if let override = isolationOverrides.entry(forStem: stem) {
            guard let mode = override.mode else {
                return .failure(PluginLoadError(file: file, check: .isolation,
                    detail: "not loaded: \(override.reason) (since \(override.at); isolation.after_host_crash: refuse). Resume it with `caphost plugins resume \(stem)` once it is fixed"))
            }
            return .success(PluginPlacement(mode: mode, reason: "\(override.reason) (since \(override.at))"))
        }
        let isolation = configuration.isolation
        if let mode = isolation.modes[stem] { return .success(PluginPlacement(mode: mode, reason: "isolation.plugins.\(stem) in the configuration")) }
        return .success(PluginPlacement(mode: isolation.defaultMode, reason: "isolation.default"))
    }

    /// Starts `file`'s isolated process (on a lifecycle thread: it waits for the child's
    /// greeting) and wraps it as an image.
    func launchIsolated(file: String, taken: PluginIntake.TakenFile) async -> Result<PluginImage, PluginLoadError> {
        guard let runnerPath else {
            return .failure(PluginLoadError(file: file, check: .isolation,
                detail: "caphost-runner not found \(configuration.probe.runnerPath.map { "at \($0)" } ?? "beside the executable"); isolated mode needs it (swift build --product caphost-runner, or set probe.runner)"))
        }
        let isolation = configuration.isolation
        let launch = IsolatedPluginProcess.Launch(
            runnerPath: runnerPath, file: file, imagePath: taken.imagePath, digest: taken.digest,
            neededLibraries: taken.facts.neededLibraries, limits: isolation.limits(forStem: Self.stem(of: file)),
            restart: isolation.restart, startTimeout: isolation.startTimeout, createTimeout: configuration.createTimeout,
            healthTimeout: configuration.scoring.healthTimeout,
            maxFrameBytes: configuration.invocation.maxResponseBytes + (1 << 20))
        let launched = await lifecyclePool.run(timeout: isolation.startTimeout + .seconds(5)) { () -> Result<IsolatedPluginProcess, PluginLoadError> in
            do throws(PluginLoadError) {
                return .success(try IsolatedPluginProcess.launch(launch))
            } catch {
                return .failure(error)
            }
        }
        switch launched {
        case .none:
            return .failure(PluginLoadError(file: file, check: .isolation, detail: "its isolated process did not start within \(isolation.startTimeout)"))
        case .failure(let error)?:
            return .failure(error)
        case .success(let process)?:
            observe(process, file: file)
            return .success(PluginImage(sourcePath: file, imagePath: taken.imagePath, digest: taken.digest, process: process))
        }
    }

    /// The candidates served by `process` now.
    private func candidates(of process: IsolatedPluginProcess) -> [Candidate] {
        registry.allCandidates().filter { !$0.isRetired && $0.instance.image.isolated === process }
    }

    /// Ends open the breakers of the process's candidates at once (the slot fails over on the
    /// next call); a restart half-opens them (the next call is a trial); a quarantine excludes them.
    private func observe(_ process: IsolatedPluginProcess, file: String) {
        let name = process.descriptor.name
        process.endObserver.withLock {
            $0 = { [weak self, weak process] what, quarantined in
                guard let self, let process else { return }
                let candidates = self.candidates(of: process)
                self.events.record(.isolatedProcessEnded, subject: file, reason: "\(name): \(what)",
                                   details: ["plugin": name, "quarantined": "\(quarantined)"])
                if quarantined {
                    self.events.record(.pluginQuarantined, subject: file,
                        reason: "\(name): \(process.quarantineReason ?? what); `caphost plugins resume \(Self.stem(of: file))` restarts it")
                }
                for candidate in candidates {
                    let opened = candidate.control.withLock { control -> Bool in
                        let opened = control.breaker.trip(cause: "its isolated process \(process.status.lastEnd ?? "ended")", now: .now)
                        candidate.trial.store(TrialGate.notHalfOpen, ordering: .releasing)
                        return opened
                    }
                    if opened {
                        self.events.record(.breakerOpened, subject: candidate.id.description,
                                           reason: "its isolated process \(process.status.lastEnd ?? "ended"); calls fail over until it serves again")
                    }
                    if let transition = self.registry.slot(candidate.id.slot)?.recompute() {
                        Self.recordTransition(transition, events: self.events, cause: "\(candidate.id)'s isolated process \(process.status.lastEnd ?? "ended")")
                    }
                }
            }
        }
        process.restartObserver.withLock {
            $0 = { [weak self, weak process] restarts in
                guard let self, let process else { return }
                let threshold = self.configuration.invocation.breakerThreshold
                for candidate in self.candidates(of: process) {
                    let halfOpened = candidate.control.withLock { control -> Bool in
                        guard control.breaker.halfOpen(now: .now) else { return false }
                        candidate.trial.store(TrialGate.awaiting, ordering: .releasing)
                        return true
                    }
                    guard halfOpened else { continue }
                    caphost_counter_store(&candidate.counters.pointee.consecutive_failures, Int64(max(0, threshold - 1)))
                    self.events.record(.breakerHalfOpened, subject: candidate.id.description,
                                       reason: "its isolated process serves again; the next call is a trial")
                    if let transition = self.registry.slot(candidate.id.slot)?.recompute() {
                        Self.recordTransition(transition, events: self.events, cause: "\(candidate.id)'s isolated process serves again")
                    }
                }
                // Recorded once the breakers let a trial through: whoever reads the event can call.
                let status = process.status
                self.events.record(.isolatedProcessRestarted, subject: file,
                    reason: "\(name) serves again from pid \(status.pid.map(String.init) ?? "?") (restart \(restarts); the last one \(status.lastEnd ?? "ended"))",
                    details: ["plugin": name, "restarts": "\(restarts)"])
            }
        }
    }

    /// What the API shows about where `record`'s plugin runs.
    static func isolationStatus(of record: PluginRecord) -> IsolationStatus? {
        guard let placement = record.placement else { return nil }
        let process = record.instance?.image.isolated
        return IsolationStatus(mode: placement.mode, reason: placement.reason, process: process?.status)
    }

    /// Lifts what keeps `file`'s plugin from serving: its isolated process's quarantine (a new
    /// process starts now), or a host-recorded override (a host crash during its call, its
    /// call threads exhausted), after which it loads as configured. Returns what was done.
    public func resume(file: String) async throws(LifecycleError) -> String {
        let stem = Self.stem(of: file)
        let record = state.withLock { state in
            state.records[file] ?? state.records.values.first { Self.stem(of: $0.report.file) == stem }
        }
        guard let record else {
            // Refused at every start since a host crash: no record may exist yet, only the override.
            if isolationOverrides.remove(stem: stem) {
                events.record(.isolationChanged, subject: stem, reason: "an operator resumed it: the host's override is lifted; it loads as configured")
                await rescan()
                return "override lifted; it loads as configured"
            }
            throw LifecycleError(code: .unknownPlugin, message: "no plugin file \(file) is known (caphost plugins lists them)")
        }
        let path = record.report.file
        if let process = record.instance?.image.isolated, process.resume() {
            events.record(.resumed, subject: path, reason: "an operator lifted the quarantine of \(process.descriptor.name); its isolated process starts again")
            return "quarantine lifted; its isolated process starts again"
        }
        if let override = isolationOverrides.entry(forStem: Self.stem(of: path)) {
            isolationOverrides.remove(stem: Self.stem(of: path))
            events.record(.isolationChanged, subject: path,
                          reason: "an operator resumed it: the host's override (\(override.reason)) is lifted; it loads as configured")
            await load(file: path)
            return "override lifted (\(override.reason)); reloaded as configured"
        }
        throw LifecycleError(code: .notQuarantined,
            message: "\(path) is neither quarantined nor moved by the host: nothing to resume")
    }
}

extension CapabilityHost {
    /// At start: the plugins whose code was running when the previous run died (the
    /// in-flight table it left) never run in-process again unnoticed — each becomes an
    /// override (isolated, or not loaded, per `isolation.after_host_crash`) and an event.
    func attributeHostCrash() {
        for survivor in inFlight.survivors {
            let refuse = configuration.isolation.afterHostCrash == .refuse
            let reason = "the host died (crash or kill) while \(survivor.threads) thread(s) ran \(survivor.plugin)'s code (\(survivor.stem))"
            isolationOverrides.set(IsolationOverrides.Entry(mode: refuse ? nil : .process, reason: reason, at: .now),
                                   forStem: survivor.stem)
            events.record(.isolationChanged, subject: survivor.stem,
                reason: "\(reason): " + (refuse ? "it is not loaded again (isolation.after_host_crash: refuse)" : "it loads in its own process from now on")
                    + "; `caphost plugins resume \(survivor.stem)` lifts this",
                details: ["plugin": survivor.plugin, "threads": "\(survivor.threads)", "mode": refuse ? "refused" : "process"])
        }
    }
}

extension CapabilityHost {
    /// Reloads the file of `instance` (an in-process plugin whose calls hang) in its own
    /// process, where a call that overruns its deadline is killed, and keeps it there (an
    /// override, like a host crash's) until an operator resumes it.
    func moveToIsolation(_ instance: PluginInstance, reason: String) async {
        let file = instance.image.sourcePath
        let stem = Self.stem(of: file)
        guard isolationOverrides.entry(forStem: stem) == nil else { return }
        isolationOverrides.set(IsolationOverrides.Entry(mode: .process, reason: reason, at: .now), forStem: stem)
        events.record(.isolationChanged, subject: file,
                      reason: "\(instance.image.descriptor.name): \(reason); reloading it in its own process; `caphost plugins resume \(stem)` lifts this",
                      details: ["plugin": instance.image.descriptor.name, "mode": "process"])
        await load(file: file)
    }
}
