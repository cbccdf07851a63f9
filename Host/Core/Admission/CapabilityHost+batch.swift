import Foundation

/// Loading several files at once (a start, a rescan, a burst of drop-ins): admitted one by
/// one and registered in the given order, but with the creates of plugins that declare
/// `CAP_PLUGIN_PARALLEL_CREATE` running side by side.
extension CapabilityHost {
    /// Loads `files` in order, as `load(file:)` would one after another, and returns their
    /// reports in that order. Plugins flagged `parallelCreate` are created (and health
    /// checked) concurrently, a few at a time; any other plugin is created while no other
    /// creation runs. Registration stays in file order, and the conflict rule is applied
    /// again at registration, so the outcome is the same as loading the files one by one.
    @discardableResult
    public func load(files: [String]) async -> [PluginReport] {
        await loadLock.withLock { await loadLocked(files: files) }
    }

    func loadLocked(files: [String]) async -> [PluginReport] {
        let width = max(2, ProcessInfo.processInfo.activeProcessorCount)
        var reports: [String: PluginReport] = [:]
        // Creations under way, oldest first; each is finished (registered) in this order.
        var creating: [(admission: PluginAdmission, instantiation: Task<PluginInstantiation, Never>)] = []
        func finishOldest() async {
            let (admission, instantiation) = creating.removeFirst()
            reports[admission.file] = await finish(admission, await instantiation.value)
        }
        for file in files {
            switch await admit(file: file) {
            case .finished(let report):
                reports[file] = report
            case .admitted(let admission) where admission.createsInParallel:
                if creating.count >= width { await finishOldest() }
                creating.append((admission, Task { await self.instantiate(admission) }))
            case .admitted(let admission):
                while !creating.isEmpty { await finishOldest() }
                reports[file] = await finish(admission, await instantiate(admission))
            }
        }
        while !creating.isEmpty { await finishOldest() }
        return files.compactMap { reports[$0] }
    }
}
