import CCapHostSupport
import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Scanning the drop folder: which files are new, changed or gone, their configuration,
/// and the preparation (checks, hashing, image copy, probe) done ahead of their loads.
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
        await load(files: changed)
        for file in known.keys where !present.contains(file) {
            await unload(file: file, reason: "file removed from \(directory)")
        }
    }

    func apply(_ change: PluginDirectoryWatcher.Change) async {
        switch change {
        case .rescan:
            await rescan()
        case .files(let names):
            // In name order; a run of files that are present loads as one batch.
            let directory = configuration.pluginsDirectory
            var present: [String] = []
            for name in names.sorted() {
                let file = (directory as NSString).appendingPathComponent(name)
                if FileManager.default.fileExists(atPath: file) {
                    present.append(file)
                } else {
                    await load(files: present)
                    present.removeAll()
                    await unload(file: file, reason: "file removed from \(directory)")
                }
            }
            await load(files: present)
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
        // Largest first: the big images (hash, copy, a probe that maps them) start at
        // once and the small ones fill the other lanes, instead of one lane ending alone
        // with the biggest file.
        let largestFirst = files.map { ($0, FileIdentity(path: $0)?.size ?? 0) }.sorted { $0.1 > $1.1 }.map(\.0)
        await withTaskGroup(of: Void.self) { group in
            var pending = largestFirst.makeIterator()
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
    func prepare(file: String) async {
        let identity = FileIdentity(path: file)
        let configResult = pluginConfig(for: file)
        guard case .success(let config) = configResult else { return }
        let intake = self.intake
        // File reading and hashing block: on a lifecycle thread, not the cooperative pool.
        let taken = await lifecyclePool.run(timeout: .seconds(120)) { () -> PluginIntake.TakenFile? in
            try? intake.take(file)
        }
        guard let taken = taken ?? nil else { return }
        let configDigest = Self.configDigest(of: configResult)
        var probeOutcome: PluginProbe.Outcome??
        if let probe {
            probeOutcome = .some(await probed(taken, config: config, configDigest: configDigest, with: probe))
        }
        let prepared = PreparedPlugin(identity: identity, configDigest: configDigest, taken: taken, probe: probeOutcome)
        preparedPlugins.withLock { $0[file] = prepared }
    }

    /// The preparation of `file` if it still matches the file and its config (and forgets it).
    func takePrepared(_ file: String, identity: FileIdentity?, configDigest: String) -> PreparedPlugin? {
        guard let prepared = preparedPlugins.withLock({ $0.removeValue(forKey: file) }) else { return nil }
        return prepared.identity == identity && prepared.configDigest == configDigest ? prepared : nil
    }
}
