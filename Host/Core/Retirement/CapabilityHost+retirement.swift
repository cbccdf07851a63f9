import CCapHostSupport
import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Retirement: candidates leave their slots, instances are quiesced and destroyed once their
/// last call returned (a Swift image is never unloaded).
extension CapabilityHost {
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

    func destroyWhenIdle(_ instance: PluginInstance, candidates: [Candidate]) async {
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
            if image.isolated != nil {
                fate = "its isolated process ended"
            } else if image.mayUnload, let handle = image.handle {
                dlclose(handle)
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
