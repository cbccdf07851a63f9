import CCapHostSupport
import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

extension CapabilityHost {
    /// Compares the drop folder with what is loaded: loads new or changed files,
    /// retires removed ones. Also the watcher's safety net.
    public func rescan() async {
        let directory = configuration.pluginsDirectory
        let present = ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [])
            .filter { $0.hasSuffix(".so") }
            .map { (directory as NSString).appendingPathComponent($0) }
        let known = state.withLock { state in
            state.records.filter { $0.value.report.state != .removed }.mapValues { ($0.fileIdentity, $0.configDigest) }
        }
        let changed = present.sorted().filter { file in
            guard let (knownIdentity, knownConfig) = known[file] else { return true }
            return knownIdentity != FileIdentity(path: file) || knownConfig != configDigest(for: file)
        }
        await prepare(changed)
        for file in changed { await load(file: file) }
        for file in known.keys where !present.contains(file) {
            await unload(file: file, reason: "file removed from \(directory)")
        }
    }

    func apply(_ change: PluginDirectoryWatcher.Change) async {
        switch change {
        case .rescan:
            await rescan()
        case .files(let names):
            let directory = configuration.pluginsDirectory
            for name in names.sorted() {
                let file = (directory as NSString).appendingPathComponent(name)
                if FileManager.default.fileExists(atPath: file) {
                    await load(file: file)
                } else {
                    await unload(file: file, reason: "file removed from \(directory)")
                }
            }
        }
    }

    /// The configuration handed to `create`: what `pluginConfigLoader` reads
    /// (e.g. `STEM.yaml`), else `STEM.json` beside the file, else the configured
    /// section for the stem, else `{}`. A loader error fails the plugin's load.
    func pluginConfig(for file: String) -> Result<[UInt8], PluginLoadError> {
        let stem = ((file as NSString).lastPathComponent as NSString).deletingPathExtension
        let directory = (file as NSString).deletingLastPathComponent
        if let loader = configuration.pluginConfigLoader {
            do {
                if let text = try loader(stem, directory) { return .success(Array(text.utf8)) }
            } catch {
                return .failure(PluginLoadError(file: file, check: .config, detail: "\(error)"))
            }
        }
        let sidecar = (directory as NSString).appendingPathComponent(stem + ".json")
        if let data = FileManager.default.contents(atPath: sidecar) { return .success(Array(data)) }
        return .success(Array((configuration.pluginConfigs[stem] ?? "{}").utf8))
    }

    /// Changes whenever the configuration (or the reason it cannot be read) changes.
    func configDigest(for file: String) -> String { Self.configDigest(of: pluginConfig(for: file)) }

    static func configDigest(of config: Result<[UInt8], PluginLoadError>) -> String {
        switch config {
        case .success(let bytes): ContentAddressedStore.digest(of: bytes)
        case .failure(let error): ContentAddressedStore.digest(of: Array("unreadable: \(error.detail)".utf8))
        }
    }

    /// Prepares `files` (checks, hashing, the image copy, the probe) a few at a time ahead of
    /// their loads: the first scan of a folder of plugins then costs about the slowest plugin's
    /// preparation per core instead of the sum of them all.
    func prepare(_ files: [String]) async {
        guard files.count > 1 else { return }
        let width = max(2, ProcessInfo.processInfo.activeProcessorCount)
        await withTaskGroup(of: Void.self) { group in
            var pending = files.makeIterator()
            for _ in 0..<width {
                guard let file = pending.next() else { break }
                group.addTask { await self.prepare(file: file) }
            }
            while await group.next() != nil {
                if let file = pending.next() { group.addTask { await self.prepare(file: file) } }
            }
        }
    }

    /// The preparation of one file; a failure prepares nothing (the load finds and reports it).
    private func prepare(file: String) async {
        let identity = FileIdentity(path: file)
        let configResult = pluginConfig(for: file)
        guard case .success(let config) = configResult else { return }
        let inspector = self.inspector, signatureVerifier = self.signatureVerifier, store = self.store
        // File reading and hashing block: on a lifecycle thread, not the cooperative pool.
        let checked = await lifecyclePool.run(timeout: .seconds(120)) { () -> (PluginFileFacts, PluginSignature, String, String)? in
            do throws(PluginLoadError) {
                let facts = try inspector.inspect(file)
                let digest = ContentAddressedStore.digest(of: facts.contents)
                let signature = try signatureVerifier.verify(file: file, contents: facts.contents, digest: digest)
                return (facts, signature, digest, try store.store(facts.contents, digest: digest, source: file))
            } catch {
                return nil
            }
        }
        guard let (facts, signature, digest, imagePath) = checked ?? nil else { return }
        var probeOutcome: PluginProbe.Outcome??
        if let probe {
            probeOutcome = .some(await lifecyclePool.run(timeout: probe.timeout + .seconds(5)) {
                probe.run(file: imagePath, config: config)
            })
        }
        let prepared = PreparedPlugin(identity: identity, configDigest: Self.configDigest(of: configResult), facts: facts,
                                      signature: signature, digest: digest, imagePath: imagePath, probe: probeOutcome)
        preparedPlugins.withLock { $0[file] = prepared }
    }

    /// The preparation of `file` if it still matches the file and its config (and forgets it).
    private func takePrepared(_ file: String, identity: FileIdentity?, configDigest: String) -> PreparedPlugin? {
        guard let prepared = preparedPlugins.withLock({ $0.removeValue(forKey: file) }) else { return nil }
        return prepared.identity == identity && prepared.configDigest == configDigest ? prepared : nil
    }

    /// Loads (or reloads) one plugin file: checks, signature, content-addressed
    /// copy, probe, map, conflict rule, create, health, then registration. A
    /// newer version of a loaded provider replaces it through a swap; the old
    /// instance is retired once its in-flight calls finish.
    @discardableResult
    public func load(file: String) async -> PluginReport {
        await loadLock.withLock { await loadLocked(file: file) }
    }

    private func loadLocked(file: String) async -> PluginReport {
        let identity = FileIdentity(path: file)
        let configResult = pluginConfig(for: file)
        let configDigest = Self.configDigest(of: configResult)
        func fail(_ error: PluginLoadError, quarantine: Bool = false, descriptor: PluginDescriptor? = nil, digest: String? = nil) -> PluginReport {
            let report = PluginReport(file: file, state: quarantine ? .quarantined : .failed, descriptor: descriptor, digest: digest,
                                      capabilities: [], error: error, linksSwiftRuntime: nil, signature: nil, at: .now)
            state.withLock { state in
                // A failed reload leaves the previous version serving.
                if var previous = state.records[file], previous.instance != nil {
                    previous.fileIdentity = identity
                    previous.configDigest = configDigest
                    let serving = previous.report
                    previous.report = PluginReport(file: file, state: serving.state, descriptor: serving.descriptor,
                        digest: serving.digest, capabilities: serving.capabilities, error: error,
                        linksSwiftRuntime: serving.linksSwiftRuntime, signature: serving.signature, at: serving.at)
                    state.records[file] = previous
                } else {
                    state.records[file] = PluginRecord(report: report, fileIdentity: identity, configDigest: configDigest)
                }
            }
            events.record(quarantine ? .pluginQuarantined : .pluginLoadFailed, subject: file, reason: "\(error.check.rawValue): \(error.detail)",
                          details: ["check": error.check.rawValue])
            return report
        }

        let config: [UInt8]
        switch configResult {
        case .success(let bytes): config = bytes
        case .failure(let error): return fail(error)
        }

        let facts: PluginFileFacts
        let signature: PluginSignature
        let digest: String
        let imagePath: String
        let prepared = takePrepared(file, identity: identity, configDigest: configDigest)
        do throws(PluginLoadError) {
            if let prepared {
                (facts, signature, digest, imagePath) = (prepared.facts, prepared.signature, prepared.digest, prepared.imagePath)
            } else {
                facts = try inspector.inspect(file)
                digest = ContentAddressedStore.digest(of: facts.contents)
                signature = try signatureVerifier.verify(file: file, contents: facts.contents, digest: digest)
                imagePath = try store.store(facts.contents, digest: digest, source: file)
            }
        } catch {
            return fail(error)
        }

        let previous = state.withLock { $0.records[file] }
        if let previous, previous.instance != nil, previous.report.digest == digest, previous.configDigest == configDigest {
            state.withLock { $0.records[file]?.fileIdentity = identity }
            return previous.report
        }

        if let probe {
            let outcome: PluginProbe.Outcome?
            if let probed = prepared?.probe {
                outcome = probed
            } else {
                outcome = await lifecyclePool.run(timeout: probe.timeout + .seconds(5)) {
                    probe.run(file: imagePath, config: config)
                }
            }
            switch outcome {
            case .none:
                return fail(PluginLoadError(file: file, check: .probe, detail: "the probe did not report back"), quarantine: true)
            case .completed(let report)?:
                // The child's descriptor is only trusted to refuse early; the mapped one is checked again below.
                if let descriptor = report.descriptor {
                    do throws(PluginLoadError) {
                        try signature.confirm(descriptor, file: file)
                    } catch {
                        return fail(error, descriptor: descriptor, digest: digest)
                    }
                }
                if var error = report.error {
                    error = PluginLoadError(file: file, check: error.check, detail: error.detail.replacingOccurrences(of: imagePath, with: file))
                    return fail(error, descriptor: report.descriptor, digest: digest)
                }
                if let health = report.health, !health.healthy {
                    return fail(PluginLoadError(file: file, check: .health, detail: "health check returned \(health.status)\(health.message.isEmpty ? "" : ": \(health.message)")"),
                                descriptor: report.descriptor, digest: digest)
                }
            case .crashed(let signal, let phase, let report)?:
                return fail(PluginLoadError(file: file, check: .probe, detail: "crashed with \(SignalName.of(signal)) during \(phase) in the probe process; quarantined"),
                            quarantine: true, descriptor: report.descriptor, digest: digest)
            case .hung(let timeout, let phase, let report)?:
                return fail(PluginLoadError(file: file, check: .probe, detail: "hung for \(timeout) during \(phase) in the probe process (killed); quarantined"),
                            quarantine: true, descriptor: report.descriptor, digest: digest)
            case .runnerFailed(let message)?:
                return fail(PluginLoadError(file: file, check: .probe, detail: message), digest: digest)
            }
        }

        let image: PluginImage
        do throws(PluginLoadError) {
            image = try loader.map(imagePath: imagePath, sourcePath: file, digest: digest, facts: facts)
        } catch {
            return fail(error, digest: digest)
        }
        do throws(PluginLoadError) {
            try signature.confirm(image.descriptor, file: file)
        } catch {
            return fail(error, descriptor: image.descriptor, digest: digest)
        }
        if let conflict = conflict(for: image) { return fail(conflict, descriptor: image.descriptor, digest: digest) }

        let loader = self.loader
        let invoker = self.invoker
        let created = await lifecyclePool.run(timeout: configuration.createTimeout) { () -> Result<PluginInstance, PluginLoadError> in
            do throws(PluginLoadError) {
                return .success(try loader.create(image, config: config, invoker: invoker))
            } catch {
                return .failure(error)
            }
        }
        let instance: PluginInstance
        switch created {
        case .none:
            return fail(PluginLoadError(file: file, check: .create, detail: "create() did not return within \(configuration.createTimeout); quarantined (its thread stays with the plugin)"),
                        quarantine: true, descriptor: image.descriptor, digest: digest)
        case .failure(let error)?:
            return fail(error, descriptor: image.descriptor, digest: digest)
        case .success(let value)?:
            instance = value
        }
        let health = await checkHealth(of: instance)
        guard health.healthy else {
            let timedOut = health.status == "TIMEOUT"
            if !timedOut { instance.destroy() }
            return fail(PluginLoadError(file: file, check: .health, detail: "health check returned \(health.status)\(health.message.isEmpty ? "" : ": \(health.message)")"),
                        descriptor: image.descriptor, digest: digest)
        }

        let candidates = image.descriptor.capabilities.map {
            Candidate(capability: $0, instance: instance, registrationSequence: registry.nextSequence())
        }
        for candidate in candidates { candidate.control.withLock { $0.lastHealth = health } }
        let replaced = await register(candidates, from: file)

        // Capabilities the previous version of this file had and this one has not.
        let dropped = (previous?.candidates ?? []).filter { old in !candidates.contains { $0.id == old.id } && !old.isRetired }
        for candidate in dropped {
            if let transition = await withSlotLock(candidate.id.slot, { self.registry.remove(candidate) }) {
                Self.recordTransition(transition, events: events, cause: "\(candidate.id) dropped by the new version of \(file)")
            }
            events.record(.candidateRetired, subject: candidate.id.description, reason: "no longer provided by \(file)")
        }

        let report = PluginReport(file: file, state: .loaded, descriptor: image.descriptor, digest: digest,
                                  capabilities: candidates.map(\.id.description), error: nil,
                                  linksSwiftRuntime: facts.linksSwiftRuntime, signature: signature.note, at: .now)
        state.withLock {
            $0.records[file] = PluginRecord(report: report, instance: instance, candidates: candidates,
                                            fileIdentity: identity, configDigest: configDigest)
        }
        let upgradedFrom = replaced.map { "\($0.plugin.name) \($0.plugin.version)" }
        markSuperseded(by: file, replaced: replaced)
        if let old = previous?.report.descriptor, previous?.instance != nil {
            events.record(.pluginUpgraded, subject: file,
                reason: old.version == image.descriptor.version
                    ? "reloaded \(image.descriptor.name) \(image.descriptor.version) (file or config changed)"
                    : "\(image.descriptor.name) \(old.version) → \(image.descriptor.version)",
                details: ["digest": digest])
        } else {
            events.record(.pluginLoaded, subject: file,
                reason: "\(image.descriptor.name) \(image.descriptor.version) serving \(candidates.map(\.id.description).joined(separator: ", "))"
                    + (upgradedFrom.isEmpty ? "" : "; replaces \(Set(upgradedFrom).sorted().joined(separator: ", "))"),
                details: ["digest": digest, "signature": signature.note, "swift": "\(facts.linksSwiftRuntime)"])
        }
        retireInstancesWithoutCandidates(from: replaced + dropped)
        return report
    }

    /// Records of other files whose every capability was just replaced by `file`
    /// become `superseded`: the file is still there, its version no longer serves.
    private func markSuperseded(by file: String, replaced: [Candidate]) {
        state.withLock { state in
            for (path, record) in state.records where path != file && record.instance != nil {
                guard record.candidates.contains(where: { old in replaced.contains { $0 === old } }) else { continue }
                var updated = record
                let serving = record.candidates.filter { !$0.isRetired }
                let previous = record.report
                updated.report = PluginReport(file: path, state: serving.isEmpty ? .superseded : .loaded,
                    descriptor: previous.descriptor, digest: previous.digest, capabilities: serving.map(\.id.description),
                    error: previous.error, linksSwiftRuntime: previous.linksSwiftRuntime, signature: previous.signature, at: .now)
                if serving.isEmpty { updated.instance = nil }
                state.records[path] = updated
            }
        }
    }

    /// A capability of `image` that another file already provides at the same or
    /// a newer version.
    private func conflict(for image: PluginImage) -> PluginLoadError? {
        for capability in image.descriptor.capabilities {
            guard let existing = registry.candidate(capability.id),
                  existing.instance.image.sourcePath != image.sourcePath else { continue }
            let theirs = existing.plugin.version
            if image.descriptor.version <= theirs {
                return PluginLoadError(file: image.sourcePath, check: .conflict,
                    detail: "\(capability.id) is already provided by \(existing.plugin.name) \(theirs) from \(existing.instance.image.sourcePath); this file is \(image.descriptor.name) \(image.descriptor.version), not newer")
            }
        }
        return nil
    }

    /// Registers candidates slot by slot (slot locks taken in canonical order)
    /// and returns the candidates they replaced.
    private func register(_ candidates: [Candidate], from file: String) async -> [Candidate] {
        var replaced: [Candidate] = []
        for slotKey in Set(candidates.map(\.id.slot)).sorted() {
            let slot = registry.slotCreating(slotKey)
            await slot.operations.withLock {
                for candidate in candidates where candidate.id.slot == slotKey {
                    let (old, transition) = registry.upsert(candidate)
                    if let old {
                        replaced.append(old)
                        events.record(.candidateRetired, subject: old.id.description,
                            reason: "replaced by \(candidate.plugin.name) \(candidate.plugin.version) from \(file)")
                    }
                    events.record(.candidateRegistered, subject: candidate.id.description,
                        reason: "\(candidate.plugin.name) \(candidate.plugin.version), priority \(candidate.priority), stack level \(candidate.stackLevel)")
                    if let transition {
                        Self.recordTransition(transition, events: events,
                            cause: old == nil ? "\(candidate.id) registered" : "upgrade to \(candidate.plugin.version)")
                    }
                }
            }
        }
        return replaced
    }

    func withSlotLock<T: Sendable>(_ key: SlotKey, _ body: () -> T) async -> T {
        let slot = registry.slotCreating(key)
        return await slot.operations.withLock { body() }
    }

    /// Retires the plugin loaded from `file`: its candidates stop receiving calls,
    /// the instance is quiesced, and destroyed once in-flight calls finished.
    public func unload(file: String, reason: String, drainTimeout: Duration? = nil) async {
        let retirements = await retire(file: file, reason: reason)
        if let drainTimeout { await Self.awaitRetirements(retirements, until: .now + drainTimeout, events: events) }
    }

    /// Takes `file`'s candidates out of their slots and starts retiring its
    /// instance; returns the retirements started (none when the file had no
    /// live instance). Nothing here waits for plugin code.
    func retire(file: String, reason: String) async -> [InstanceRetirement] {
        let record = await loadLock.withLock { () -> PluginRecord? in
            state.withLock { state -> PluginRecord? in
                guard var record = state.records[file] else { return nil }
                let previous = record
                record.report = PluginReport(file: file, state: .removed, descriptor: record.report.descriptor,
                                             digest: record.report.digest, capabilities: [], error: record.report.error,
                                             linksSwiftRuntime: record.report.linksSwiftRuntime, signature: record.report.signature, at: .now)
                record.instance = nil
                record.candidates = []
                state.records[file] = record
                return previous
            }
        }
        guard let record, let descriptor = record.report.descriptor, record.instance != nil else {
            if record != nil { state.withLock { _ = $0.records.removeValue(forKey: file) } }
            return []
        }
        let live = record.candidates.filter { !$0.isRetired }
        for candidate in live {
            if let transition = await withSlotLock(candidate.id.slot, { self.registry.remove(candidate) }) {
                Self.recordTransition(transition, events: events, cause: "\(candidate.id) retired (\(reason))")
            }
            events.record(.candidateRetired, subject: candidate.id.description, reason: reason)
        }
        events.record(.pluginRemoved, subject: file, reason: "\(descriptor.name) \(descriptor.version): \(reason)")
        withdrawRegistryHealth(reportedBy: descriptor.name)
        return retireInstancesWithoutCandidates(from: record.candidates)
    }

    /// For each instance among `candidates` whose candidates are all retired:
    /// quiesce it and destroy it once its leases reach zero, in the
    /// background. Returns what was started, for a caller that wants to wait.
    @discardableResult
    func retireInstancesWithoutCandidates(from candidates: [Candidate]) -> [InstanceRetirement] {
        var seen = Set<ObjectIdentifier>()
        var started: [InstanceRetirement] = []
        for candidate in candidates {
            let instance = candidate.instance
            guard seen.insert(ObjectIdentifier(instance)).inserted, instance.isLive else { continue }
            let siblings = state.withLock { state in
                state.records.values.flatMap(\.candidates).filter { $0.instance === instance }
            } + candidates.filter { $0.instance === instance }
            guard siblings.allSatisfy(\.isRetired) else { continue }
            let retirement = InstanceRetirement(instance: instance, candidates: siblings)
            let drain = Task {
                // quiesce() is plugin code: it runs on a lifecycle thread, never on the
                // caller's, so a plugin that hangs there cannot hold up a swap or a shutdown.
                _ = await self.lifecyclePool.run(timeout: self.configuration.createTimeout) { instance.quiesce() }
                await self.destroyWhenIdle(instance, candidates: siblings)
                retirement.markFinished()
            }
            background.withLock { $0.append(drain) }
            started.append(retirement)
        }
        return started
    }

    /// Waits until every retirement finished or `deadline` passed; each one
    /// still running then is recorded as abandoned (a hung call keeps its
    /// lease, and the instance, for as long as it hangs). Returns those.
    @discardableResult
    static func awaitRetirements(_ retirements: [InstanceRetirement], until deadline: ContinuousClock.Instant,
                                 events: EventLog) async -> [InstanceRetirement] {
        while retirements.contains(where: { !$0.isFinished }) && ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(2))
        }
        let abandoned = retirements.filter { !$0.isFinished }
        for retirement in abandoned {
            events.record(.instanceDestroyed, subject: retirement.instance.image.sourcePath,
                          reason: "\(retirement.summary) not destroyed in time: abandoned")
        }
        return abandoned
    }

    private func destroyWhenIdle(_ instance: PluginInstance, candidates: [Candidate]) async {
        var wait: Duration = .milliseconds(1)
        while candidates.contains(where: { $0.inFlight > 0 }) {
            try? await Task.sleep(for: wait)
            if Task.isCancelled { return }
            wait = min(wait * 2, .milliseconds(100))
        }
        let image = instance.image
        let destroyed = await lifecyclePool.run(timeout: configuration.createTimeout) { instance.destroy() }
        guard destroyed == true else {
            events.record(.instanceDestroyed, subject: image.sourcePath,
                          reason: "destroy() of \(image.descriptor.name) \(image.descriptor.version) did not return within \(configuration.createTimeout)")
            return
        }
        let imageStillUsed = state.withLock { state in
            state.records.values.contains { $0.instance?.image === image && $0.instance?.isLive == true }
        }
        var fate = "image stays mapped"
        if !imageStillUsed {
            if image.mayUnload {
                dlclose(image.handle)
                fate = "image unloaded (UNLOADABLE, no Swift code)"
                state.withLock { $0.unloadedImages += 1 }
            } else {
                let size = (try? FileManager.default.attributesOfItem(atPath: image.imagePath)[.size] as? Int) ?? 0
                fate = image.linksSwiftRuntime
                    ? "Swift image stays mapped (\(size) bytes on disk): Swift libraries are never dlclosed"
                    : "image stays mapped (\(size) bytes on disk): not flagged UNLOADABLE"
                state.withLock { $0.retainedImages += 1; $0.retainedBytes += size }
            }
        }
        events.record(.instanceDestroyed, subject: image.sourcePath,
                      reason: "\(image.descriptor.name) \(image.descriptor.version) destroyed after its last call; \(fate)")
    }

    /// Runs the instance's health check on a lifecycle thread, waiting at most
    /// the configured timeout. At most one check per instance runs at a time: a
    /// check that hangs keeps its thread, and later rounds report it instead of
    /// queueing more checks behind it (which would take every lifecycle thread
    /// and stop loads).
    func checkHealth(of instance: PluginInstance) async -> HealthObservation {
        let timeout = configuration.scoring.healthTimeout
        let now = caphost_monotonic_ns()
        let (claimed, running) = instance.healthCheckStarted.compareExchange(expected: 0, desired: max(now, 1), ordering: .acquiringAndReleasing)
        guard claimed else {
            let seconds = Double(now &- running) / 1e9
            return HealthObservation(at: .now, healthy: false, status: "TIMEOUT",
                message: String(format: "the previous health check has not returned for %.1f s; no new check is started until it does", seconds))
        }
        let observation = await lifecyclePool.run(timeout: timeout) {
            defer { instance.healthCheckStarted.store(0, ordering: .releasing) }
            return PluginLoader.health(of: instance)
        }
        return observation ?? HealthObservation(at: .now, healthy: false, status: "TIMEOUT", message: "health check did not answer within \(timeout)")
    }
}

extension CapabilityHost {
    /// A retired plugin's registry-health reports go with it: a demotion must not outlive its reporter.
    func withdrawRegistryHealth(reportedBy reporter: String) {
        for candidate in registry.allCandidates() where !candidate.isRetired {
            let withdrawn = candidate.control.withLock { control -> Bool in
                guard control.registryHealth?.reporter == reporter else { return false }
                control.registryHealth = nil
                return true
            }
            if withdrawn { Self.recordRegistryHealth(candidate, nil, reporter: reporter, events: events, registry: registry) }
        }
    }
}
