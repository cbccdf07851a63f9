import Foundation
import Logging
import Synchronization

/// The host: loads plugins from the drop folder, keeps the registry, routes
/// calls, swaps providers, and records why it did each of these things.
public final class CapabilityHost: Sendable {
    /// One plugin file as the host knows it.
    struct PluginRecord: Sendable {
        var report: PluginReport
        var instance: PluginInstance?
        var candidates: [Candidate] = []
        var fileIdentity: FileIdentity?
        var configDigest: String?
        /// Where the serving (or last attempted) version runs.
        var placement: PluginPlacement?
    }

    struct State: Sendable {
        var records: [String: PluginRecord] = [:]
        var retainedImages = 0
        var retainedBytes = 0
        var unloadedImages = 0
        var started = false
    }

    public let configuration: HostConfiguration
    public let events: EventLog
    public let registry: CapabilityRegistry
    public let invoker: Invoker
    let logger: Logger
    let keyValueStore: (any PluginKeyValueStore)?
    let state = Mutex(State())
    /// Loads run one at a time (each may take a probe's worth of time).
    let loadLock = AsyncSerialLock()
    /// Files a scan prepared ahead of their loads, by path.
    let preparedPlugins = Mutex<[String: PreparedPlugin]>([:])
    /// File checks, hashing, signature and image copy (or the memo of them).
    let intake: PluginIntake
    let probe: PluginProbe?
    /// `caphost-runner`, for probes and isolated plugins; nil when it was not found.
    let runnerPath: String?
    /// Plugins the host moved out of its process (kept in the state directory).
    let isolationOverrides: IsolationOverrides
    /// Whose plugin code each thread runs, readable after a crash (`<state>/inflight`).
    let inFlight: InFlightTable
    /// Passing probe reports by image digest, so an unchanged plugin is probed once.
    let probeCache: ProbeCache?
    let loader: PluginLoader
    /// Threads for create/health and other blocking plugin work.
    let lifecyclePool = CallThreadPool(name: "caphost-life", maximumThreads: 64)
    let background = Mutex<[Task<Void, Never>]>([])
    /// The host itself, for the invoker's callbacks made before `init` finished (weak: no cycle).
    let hostReference = WeakHost()
    let watcher = Mutex<PluginDirectoryWatcher?>(nil)

    /// Creates a host. Throws when the configuration cannot work (bad keys,
    /// probing on but no runner).
    public init(configuration: HostConfiguration, logger: Logger = Logger(label: "caphost"),
                keyValueStore: (any PluginKeyValueStore)? = nil) throws {
        self.configuration = configuration
        self.logger = logger
        self.keyValueStore = keyValueStore
        self.events = EventLog(logger: logger)
        self.registry = CapabilityRegistry()
        let store = ContentAddressedStore(stateDirectory: configuration.stateDirectory)
        self.intake = PluginIntake(store: store, signatureVerifier: try SignatureVerifier(trustedKeysBase64: configuration.signatures.trustedKeys,
                                                                                          requireSignatures: configuration.signatures.requireSignatures),
                                   memo: ImageMemo(store: store))
        self.runnerPath = PluginProbe.locateRunner(explicit: configuration.probe.runnerPath)
        self.isolationOverrides = IsolationOverrides(stateDirectory: configuration.stateDirectory)
        self.inFlight = InFlightTable(stateDirectory: configuration.stateDirectory)
        if configuration.probe.enabled {
            guard let runner = runnerPath else {
                throw ConfigurationError(path: "probe.runner_path",
                    detail: "caphost-runner not found \(configuration.probe.runnerPath.map { "at \($0)" } ?? "beside the executable"); build it (swift build --product caphost-runner), set probe.runner_path, or disable probing")
            }
            self.probe = PluginProbe(runnerPath: runner, timeout: configuration.probe.timeout)
            self.probeCache = ProbeCache(directory: store.directory, runnerPath: runner)
        } else {
            self.probe = nil
            self.probeCache = nil
        }
        self.loader = PluginLoader(logger: logger, keyValueStore: keyValueStore, inFlight: inFlight)
        let events = self.events
        let registry = self.registry
        let coolDown = configuration.scoring.breakerCoolDown
        let moveOnExhaustion = configuration.isolation.afterCallThreadsExhausted == .process
        let hostReference = self.hostReference
        self.invoker = Invoker(
            registry: registry, settings: configuration.invocation,
            breakerTripped: { candidate, failures in
                let opened = candidate.control.withLock { control -> Bool in
                    let opened = control.breaker.trip(failures: failures, now: .now)
                    candidate.trial.store(TrialGate.notHalfOpen, ordering: .releasing)
                    return opened
                }
                guard opened else { return }
                events.record(.breakerOpened, subject: candidate.id.description,
                    reason: "\(failures) consecutive failures; cool-down \(coolDown) before a trial call",
                    details: ["failures": "\(failures)"])
                if let transition = registry.slot(candidate.id.slot)?.recompute() {
                    CapabilityHost.recordTransition(transition, events: events, cause: "breaker opened on \(candidate.id)")
                }
            },
            recovered: { candidate in
                let closed = candidate.control.withLock { control -> Bool in
                    let closed = control.breaker.close()
                    candidate.trial.store(TrialGate.notHalfOpen, ordering: .releasing)
                    return closed
                }
                guard closed else { return }
                events.record(.breakerClosed, subject: candidate.id.description, reason: "trial call succeeded")
                if let transition = registry.slot(candidate.id.slot)?.recompute() {
                    CapabilityHost.recordTransition(transition, events: events, cause: "breaker closed on \(candidate.id)")
                }
            },
            registryHealthChanged: { candidate, report, reporter in
                CapabilityHost.recordRegistryHealth(candidate, report, reporter: reporter, events: events, registry: registry)
            },
            callThreadsExhausted: { instance, limit in
                let isolated = instance.image.isolated != nil
                let fate = isolated
                    ? "its further calls are refused as overloaded until one returns (its process kills a call at its deadline)"
                    : moveOnExhaustion
                        ? "an in-process call cannot be stopped, so it moves to its own process (isolation.after_call_threads_exhausted: process)"
                        : "an in-process call cannot be stopped, so its further calls are refused as overloaded until one returns"
                events.record(.callThreadsExhausted, subject: instance.image.sourcePath,
                    reason: "\(instance.image.descriptor.name) holds all \(limit) of its call threads (invocation.max_calls_per_plugin), hung calls included: \(fate)",
                    details: ["limit": "\(limit)", "plugin": instance.image.descriptor.name])
                if !isolated && moveOnExhaustion, let host = hostReference.host {
                    Task { await host.moveToIsolation(instance, reason: "it held all \(limit) of its call threads in-process (hung calls)") }
                }
            })
        hostReference.host = self
    }

    /// Loads every plugin in the drop folder, then starts watching it and
    /// keeping scores.
    public func start() async {
        let alreadyStarted = state.withLock { state -> Bool in
            defer { state.started = true }
            return state.started
        }
        guard !alreadyStarted else { return }
        attributeHostCrash()
        try? FileManager.default.createDirectory(atPath: configuration.pluginsDirectory, withIntermediateDirectories: true)
        await rescan()
        if configuration.watcher.enabled {
            let watcher = PluginDirectoryWatcher(directory: configuration.pluginsDirectory, settings: configuration.watcher,
                                                 logger: logger) { [weak self] change in
                guard let self else { return }
                Task { await self.apply(change) }
            }
            watcher.start()
            self.watcher.withLock { $0 = watcher }
        }
        let keeper = ScoreKeeper(host: self)
        let tick = configuration.scoring.tickInterval
        let task = Task.detached { [keeper] in
            while !Task.isCancelled {
                try? await Task.sleep(for: tick)
                await keeper.tick()
            }
        }
        background.withLock { $0.append(task) }
    }

    /// Stops watching and scoring, then retires every plugin: each instance is
    /// quiesced and destroyed once its in-flight calls finished. Waits at most
    /// `drainTimeout` for all of them together; what still runs then is
    /// abandoned (its threads stay with the plugin until the process exits),
    /// recorded as an event and returned, one sentence per instance.
    @discardableResult
    public func stop(drainTimeout: Duration = .seconds(5)) async -> [String] {
        let deadline = ContinuousClock.now + drainTimeout
        watcher.withLock { $0?.stop(); $0 = nil }
        for task in background.withLock({ tasks in defer { tasks.removeAll() }; return tasks }) { task.cancel() }
        let files = state.withLock { Array($0.records.keys) }.sorted()
        var retirements: [InstanceRetirement] = []
        for file in files { retirements += await retire(file: file, reason: "host stopping") }
        let abandoned = await Self.awaitRetirements(retirements, until: deadline, events: events)
        inFlight.markClean()
        return abandoned.map(\.summary)
    }

    // MARK: - Queries

    /// Every plugin file the host has seen, by path.
    public func plugins() -> [PluginReport] {
        state.withLock { $0.records.values.map(Self.report(of:)) }.sorted { $0.file < $1.file }
    }

    /// The report for one file.
    public func plugin(file: String) -> PluginReport? { state.withLock { $0.records[file].map(Self.report(of:)) } }

    /// A record's report with where its plugin runs now.
    static func report(of record: PluginRecord) -> PluginReport {
        var report = record.report
        report.isolation = isolationStatus(of: record)
        return report
    }

    /// Every slot's explanation.
    public func capabilities() -> [SlotExplanation] { registry.allSlots().map { $0.explain() } }

    /// Why `slot` resolves the way it does, or nil for an unknown slot.
    public func explain(_ slot: SlotKey) -> SlotExplanation? { registry.slot(slot)?.explain() }

    /// The canonical id of the provider a call to `slot` would reach now.
    public func resolve(_ slot: SlotKey) -> CapabilityID? { registry.slot(slot)?.winner?.id }

    /// What retired plugin versions still cost.
    public var retainedImages: RetainedImages {
        let retiredCandidates = registry.retiredCount
        return state.withLock {
            RetainedImages(count: $0.retainedImages, bytes: $0.retainedBytes, unloaded: $0.unloadedImages,
                           retiredCandidates: retiredCandidates)
        }
    }

    /// Records an outside registry's changed verdict on `candidate` and re-ranks its slot.
    static func recordRegistryHealth(_ candidate: Candidate, _ report: RegistryHealthReport?, reporter: String,
                                     events: EventLog, registry: CapabilityRegistry) {
        events.record(.healthChanged, subject: candidate.id.description,
                      reason: report.map { "registry: \($0.reporter) reports unhealthy: \($0.reason)" }
                          ?? "registry: \(reporter) withdrew its unhealthy report",
                      details: ["source": "registry", "reporter": report?.reporter ?? reporter])
        if let transition = registry.slot(candidate.id.slot)?.recompute() {
            recordTransition(transition, events: events,
                             cause: report.map { "\($0.reporter) reports \(candidate.id) unhealthy" } ?? "\(reporter) withdrew its report on \(candidate.id)")
        }
    }

    static func recordTransition(_ transition: Slot.Transition, events: EventLog, cause: String) {
        events.record(.slotSwitched, subject: transition.slot.description,
            reason: "\(transition.from?.provider ?? "nothing") → \(transition.to?.provider ?? "nothing"): \(cause); \(transition.decidedBy)",
            details: ["from": transition.from?.description ?? "", "to": transition.to?.description ?? ""])
    }
}

/// A weak reference to a host, for callbacks built before it exists.
final class WeakHost: Sendable {
    private let reference = Mutex<Weak>(Weak())
    private struct Weak: @unchecked Sendable { weak var host: CapabilityHost? }

    var host: CapabilityHost? {
        get { reference.withLock { $0.host } }
        set { reference.withLock { $0.host = newValue } }
    }
}
