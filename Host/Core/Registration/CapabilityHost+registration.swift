import CCapHostSupport
import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Registration: an admitted plugin's candidates enter their slots (slot locks in canonical
/// order) and the versions they replace are marked.
extension CapabilityHost {
    /// Records of other files whose every capability was just replaced by `file`
    /// become `superseded`: the file is still there, its version no longer serves.
    func markSuperseded(by file: String, replaced: [Candidate]) {
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

    /// Registers candidates slot by slot (slot locks taken in canonical order)
    /// and returns the candidates they replaced.
    func register(_ candidates: [Candidate], from file: String) async -> [Candidate] {
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
}
