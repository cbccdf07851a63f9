import CCapHostSupport
import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Admission of one plugin file: the checks, signature, probe, mapping, conflict rule,
/// create and health check a file passes before its capabilities are registered.
extension CapabilityHost {
    /// The probe's verdict on the copy `taken` names: a kept report when this image
    /// passed with this config, runner and host before, else a probe run on a
    /// lifecycle thread (nil: it did not report back).
    func probed(_ taken: PluginIntake.TakenFile, config: [UInt8], configDigest: String,
                with probe: PluginProbe) async -> PluginProbe.Outcome? {
        let digest = taken.digest
        if let kept = probeCache?.report(digest: digest, configDigest: configDigest) { return .completed(kept) }
        let outcome = await lifecyclePool.run(timeout: probe.timeout + .seconds(5)) {
            probe.run(file: taken.imagePath, config: config, digest: digest, neededLibraries: taken.facts.neededLibraries)
        }
        if case .completed(let report)? = outcome { probeCache?.keep(report, digest: digest, configDigest: configDigest) }
        return outcome
    }

    /// Loads (or reloads) one plugin file: checks, signature, content-addressed
    /// copy, probe, map, conflict rule, create, health, then registration. A
    /// newer version of a loaded provider replaces it through a swap; the old
    /// instance is retired once its in-flight calls finish.
    @discardableResult
    public func load(file: String) async -> PluginReport {
        await loadLock.withLock { await loadLocked(file: file) }
    }

    func loadLocked(file: String) async -> PluginReport {
        switch await admit(file: file) {
        case .finished(let report):
            return report
        case .admitted(let admission):
            return await finish(admission, await instantiate(admission))
        }
    }

    /// Everything before `create`: configuration, intake (checks, copy, digest, signature),
    /// probe, map, signature against the mapped descriptor, and the conflict rule against
    /// what is registered now. Ends the load (`.finished`) when the file fails a step or is
    /// already loaded unchanged.
    func admit(file: String) async -> PluginAdmission.Step {
        let identity = FileIdentity(path: file)
        let configResult = pluginConfig(for: file)
        let configDigest = Self.configDigest(of: configResult)
        func fail(_ error: PluginLoadError, quarantine: Bool = false, descriptor: PluginDescriptor? = nil, digest: String? = nil) -> PluginAdmission.Step {
            .finished(recordFailure(error, file: file, identity: identity, configDigest: configDigest,
                                    quarantine: quarantine, descriptor: descriptor, digest: digest))
        }

        let config: [UInt8]
        switch configResult {
        case .success(let bytes): config = bytes
        case .failure(let error): return fail(error)
        }
        let placement: PluginPlacement
        switch self.placement(for: file) {
        case .success(let chosen): placement = chosen
        case .failure(let error): return fail(error)
        }

        let taken: PluginIntake.TakenFile
        let prepared = takePrepared(file, identity: identity, configDigest: configDigest)
        do throws(PluginLoadError) {
            if let prepared { taken = prepared.taken } else { taken = try intake.take(file) }
        } catch {
            return fail(error)
        }
        let (facts, signature, digest, imagePath) = (taken.facts, taken.signature, taken.digest, taken.imagePath)

        let previous = state.withLock { $0.records[file] }
        if let previous, previous.instance != nil, previous.report.digest == digest, previous.configDigest == configDigest,
           previous.placement?.mode == placement.mode {
            state.withLock { $0.records[file]?.fileIdentity = identity }
            return .finished(previous.report)
        }

        // An isolated plugin needs no probe: its own process is the protection.
        if let probe, placement.mode == .inProcess {
            let outcome: PluginProbe.Outcome?
            if let probed = prepared?.probe {
                outcome = probed
            } else {
                outcome = await probed(taken, config: config, configDigest: configDigest, with: probe)
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
        if placement.mode == .process {
            switch await launchIsolated(file: file, taken: taken) {
            case .success(let launched): image = launched
            case .failure(let error): return fail(error, digest: digest)
            }
        } else {
            do throws(PluginLoadError) {
                image = try loader.map(imagePath: imagePath, sourcePath: file, digest: digest, facts: facts)
            } catch {
                return fail(error, digest: digest)
            }
        }
        do throws(PluginLoadError) {
            try signature.confirm(image.descriptor, file: file)
        } catch {
            image.isolated?.shutDown(reason: "signature refused")
            return fail(error, descriptor: image.descriptor, digest: digest)
        }
        if let conflict = conflict(for: image) {
            image.isolated?.shutDown(reason: "conflict")
            return fail(conflict, descriptor: image.descriptor, digest: digest)
        }
        return .admitted(PluginAdmission(file: file, identity: identity, configDigest: configDigest, config: config,
                                         taken: taken, image: image, placement: placement, previous: previous))
    }

    /// `create` on a lifecycle thread (bounded by the create timeout), then the first health
    /// check. Touches no host state: loads in one batch run this concurrently.
    func instantiate(_ admission: PluginAdmission) async -> PluginInstantiation {
        let (loader, invoker, image, config) = (self.loader, self.invoker, admission.image, admission.config)
        // An isolated create has its own deadline (the process is killed at it): give it room to say so.
        let margin: Duration = admission.image.isolated == nil ? .zero : .seconds(3)
        let created = await lifecyclePool.run(timeout: configuration.createTimeout + margin) { () -> Result<PluginInstance, PluginLoadError> in
            do throws(PluginLoadError) {
                return .success(try loader.create(image, config: config, invoker: invoker))
            } catch {
                return .failure(error)
            }
        }
        let instance: PluginInstance
        switch created {
        case .none:
            return .failed(PluginLoadError(file: admission.file, check: .create, detail: "create() did not return within \(configuration.createTimeout); quarantined (its thread stays with the plugin)"),
                           quarantine: true)
        case .failure(let error)?:
            // An isolated plugin whose process died or hung in create() is quarantined, as the probe would.
            return .failed(error, quarantine: admission.image.isolated?.status.lastEnd != nil)
        case .success(let value)?:
            instance = value
        }
        let health = await checkHealth(of: instance)
        guard health.healthy else {
            let timedOut = health.status == "TIMEOUT"
            if !timedOut { instance.destroy() }
            return .failed(PluginLoadError(file: admission.file, check: .health, detail: "health check returned \(health.status)\(health.message.isEmpty ? "" : ": \(health.message)")"),
                           quarantine: false)
        }
        return .created(instance, health)
    }

    /// Registers a created instance's capabilities (after the conflict rule once more: a file
    /// loaded earlier in the same batch may have registered one since `admit`), retires what
    /// they replace or the new version dropped, and records the report and events.
    func finish(_ admission: PluginAdmission, _ instantiation: PluginInstantiation) async -> PluginReport {
        let (file, image, taken, previous) = (admission.file, admission.image, admission.taken, admission.previous)
        let (facts, signature, digest) = (taken.facts, taken.signature, taken.digest)
        func fail(_ error: PluginLoadError, quarantine: Bool = false) -> PluginReport {
            recordFailure(error, file: file, identity: admission.identity, configDigest: admission.configDigest,
                          quarantine: quarantine, descriptor: image.descriptor, digest: digest)
        }
        let instance: PluginInstance
        let health: HealthObservation
        switch instantiation {
        case .failed(let error, let quarantine):
            image.isolated?.shutDown(reason: "load failed at \(error.check.rawValue)")
            return fail(error, quarantine: quarantine)
        case .created(let created, let observation):
            (instance, health) = (created, observation)
        }
        if let conflict = conflict(for: image) {
            instance.destroy()
            image.isolated?.shutDown(reason: "conflict")
            return fail(conflict)
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
        let record = PluginRecord(report: report, instance: instance, candidates: candidates,
                                  fileIdentity: admission.identity, configDigest: admission.configDigest,
                                  placement: admission.placement)
        state.withLock { $0.records[file] = record }
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
                    + (upgradedFrom.isEmpty ? "" : "; replaces \(Set(upgradedFrom).sorted().joined(separator: ", "))")
                    + (admission.placement.mode == .process ? "; isolated in its own process (\(admission.placement.reason))" : ""),
                details: ["digest": digest, "signature": signature.note, "swift": "\(facts.linksSwiftRuntime)",
                          "bytes": taken.remembered ? "unchanged since read at an earlier start; not read again" : "read and hashed",
                          "isolation": admission.placement.mode.rawValue])
        }
        retireInstancesWithoutCandidates(from: replaced + dropped)
        return Self.report(of: record)
    }

    /// Records a failed load of `file` and returns its report. A failed reload leaves the
    /// previous version serving, with the error on its report.
    func recordFailure(_ error: PluginLoadError, file: String, identity: FileIdentity?, configDigest: String,
                       quarantine: Bool, descriptor: PluginDescriptor?, digest: String?) -> PluginReport {
        let report = PluginReport(file: file, state: quarantine ? .quarantined : .failed, descriptor: descriptor, digest: digest,
                                  capabilities: [], error: error, linksSwiftRuntime: nil, signature: nil, at: .now)
        state.withLock { state in
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

    /// A capability of `image` that another file already provides at the same or
    /// a newer version.
    func conflict(for image: PluginImage) -> PluginLoadError? {
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
