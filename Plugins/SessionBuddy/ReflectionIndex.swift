import Foundation
import PluginKit
import SessionBuddyText
import Synchronization

/// What the plugin remembers of each reflection it stored: session-buddy's search texts show
/// neither ids nor tags and cut content to 250 characters, so a search result is matched here —
/// by its shown content (and project) — to recover its id, tags, full content and creation time.
///
/// Kept in memory (the newest `capacity` records) and, when the host offers it, in the
/// instance's durable key-value store, so a host restart keeps them. A reflection stored by
/// someone else has no entry: it is answered with what session-buddy showed (`id: null`, no tags).
final class ReflectionIndex: Sendable {
    /// One stored reflection.
    struct Record: Codable, Sendable, Equatable {
        var id: String
        var content: String
        var tags: [String]
        var project: String?
        var createdAt: String?

        enum CodingKeys: String, CodingKey {
            case id, content, tags, project
            case createdAt = "created_at"
        }
    }

    private let capacity: Int
    private let context: PluginContext
    private let memory = Mutex<(records: [String: [Record]], order: [String])>(([:], []))
    /// False once the host said it has no key-value store: stop asking.
    private let durable = Atomic<Bool>(true)

    init(capacity: Int, context: PluginContext) {
        self.capacity = capacity
        self.context = context
    }

    /// The key of a reflection as a search shows it: its content cut to 250 characters.
    /// Two FNV-1a 64-bit hashes (different offsets) in hex: the key only groups records, and a
    /// lookup compares the content of each, so a collision cannot mix two up.
    static func key(shownContent: String) -> String {
        let bytes = Array(shownContent.utf8)
        func fnv(_ offset: UInt64) -> UInt64 {
            bytes.reduce(offset) { ($0 ^ UInt64($1)) &* 0x100_0000_01b3 }
        }
        let hex = [fnv(0xcbf2_9ce4_8422_2325), fnv(0x8422_2325_cbf2_9ce4)].map { String($0, radix: 16) }
        return "reflection:" + hex.joined(separator: "-")
    }

    /// Remembers `record`.
    func remember(_ record: Record) {
        let key = Self.key(shownContent: ReflectionText.shown(record.content, limit: 250))
        var records = lookUp(key)
        records.removeAll { $0.id == record.id }
        records.append(record)
        if records.count > 16 { records.removeFirst(records.count - 16) }
        keep(records, under: key)
        guard durable.load(ordering: .relaxed) else { return }
        do {
            try context.keyValueStore.put(key, Array(try JSONEncoder().encode(records)))
        } catch let error as PluginError where error.status == .unavailable {
            durable.store(false, ordering: .relaxed)
            context.log(.info, "session-buddy: the host offers no key-value store (\(error.message)); the index of stored reflections lives in memory only")
        } catch {
            context.log(.warning, "session-buddy: could not keep reflection \(record.id) in the key-value store: \(error)")
        }
    }

    /// The records whose content shows as `shownContent` (newest last), in any project.
    func records(shownContent: String) -> [Record] {
        lookUp(Self.key(shownContent: shownContent)).filter { ReflectionText.shown($0.content, limit: 250) == shownContent }
    }

    private func lookUp(_ key: String) -> [Record] {
        if let records = memory.withLock({ $0.records[key] }) { return records }
        guard durable.load(ordering: .relaxed),
              let bytes = try? context.keyValueStore.get(key),
              let records = try? JSONDecoder().decode([Record].self, from: Data(bytes)) else { return [] }
        keep(records, under: key)
        return records
    }

    private func keep(_ records: [Record], under key: String) {
        guard capacity > 0 else { return }
        memory.withLock { memory in
            if memory.records.updateValue(records, forKey: key) == nil { memory.order.append(key) }
            while memory.order.count > capacity {
                memory.records.removeValue(forKey: memory.order.removeFirst())
            }
        }
    }
}
