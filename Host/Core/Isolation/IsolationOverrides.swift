import Foundation
import Synchronization

/// Plugins the host moved out of its own process, by file stem, kept in
/// `<state>/isolation-overrides.json` so the move survives restarts: a plugin that was
/// running when the host died, or that held all its call threads, never silently runs
/// in-process again. An operator's resume removes the entry.
final class IsolationOverrides: Sendable {
    /// Why a plugin no longer runs in-process, and what it does instead.
    struct Entry: Sendable, Codable, Hashable {
        /// `process` (load it isolated) or nil (do not load it at all).
        let mode: IsolationSettings.Mode?
        let reason: String
        let at: WallClockTime
    }

    private let path: String
    private let entries: Mutex<[String: Entry]>

    init(stateDirectory: String) {
        path = (stateDirectory as NSString).appendingPathComponent("isolation-overrides.json")
        let kept = FileManager.default.contents(atPath: path).flatMap { try? JSONDecoder().decode([String: Entry].self, from: $0) }
        entries = Mutex(kept ?? [:])
    }

    func entry(forStem stem: String) -> Entry? { entries.withLock { $0[stem] } }

    var all: [String: Entry] { entries.withLock { $0 } }

    /// Records `entry` for `stem` (replacing any) and writes the file.
    func set(_ entry: Entry, forStem stem: String) {
        let snapshot = entries.withLock { entries -> [String: Entry] in
            entries[stem] = entry
            return entries
        }
        save(snapshot)
    }

    /// Removes `stem`'s entry; false when it had none.
    @discardableResult
    func remove(stem: String) -> Bool {
        let snapshot = entries.withLock { entries -> [String: Entry]? in
            guard entries.removeValue(forKey: stem) != nil else { return nil }
            return entries
        }
        guard let snapshot else { return false }
        save(snapshot)
        return true
    }

    /// Written to a temporary name, then renamed: a crash leaves the old file or the new one.
    private func save(_ snapshot: [String: Entry]) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        guard let data = try? encoder.encode(snapshot) else { return }
        try? FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        let temporary = path + ".tmp"
        guard FileManager.default.createFile(atPath: temporary, contents: data, attributes: [.posixPermissions: 0o600]) else { return }
        _ = rename(temporary, path)
    }
}
