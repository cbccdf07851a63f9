import CapHostCore
import GRDB

/// Operator pins that survive a restart.
///
/// The store listens to the host's events, through the `EventArchive` it is
/// given to (`EventArchive(database:pins:)`): a `.pinned` event records the
/// slot's pin, `.unpinned` removes it, and `.swapCompleted` removes it too
/// (an operator swap replaces the pin in the running host, and is not itself
/// restored: it was health-checked against that run's instance). Each change
/// commits in the same transaction as its event, so every path that pins
/// (HTTP, MCP, CLI, code) is covered and nothing is written twice.
/// `restore(into:)` re-applies the pins at start.
public final class PinStore: Sendable {
    private let database: StateDatabase

    public init(database: StateDatabase) {
        self.database = database
    }

    /// Every stored pin, by slot.
    public func pins() throws(StateError) -> [StoredPin] {
        try database.readNow("read pins") { db in
            try Row.fetchAll(db, sql: "SELECT slot, provider, pinned_at FROM pins ORDER BY slot").compactMap { row in
                guard let slot = SlotKey(parsing: row["slot"]) else { return nil }
                return StoredPin(slot: slot, provider: row["provider"],
                                 pinnedAt: WallClockTime(secondsSince1970: row["pinned_at"]))
            }
        }
    }

    /// Pins every stored slot in `host` again and returns what it restored.
    /// Call it before `host.start()`: a pin may name a provider that is not
    /// loaded yet, and the first load then already resolves to it.
    @discardableResult
    public func restore(into host: CapabilityHost) async throws(StateError) -> [StoredPin] {
        let stored = try pins()
        for pin in stored { await host.pin(pin.slot, to: pin.provider) }
        return stored
    }
}

extension PinStore: EventProjection {
    func apply(_ event: HostEvent, in db: Database) throws {
        switch event.kind {
        case .pinned:
            // Re-pinning the same provider (as restore does) keeps the original time.
            guard let provider = event.details["provider"] else { return }
            try db.execute(sql: """
                INSERT INTO pins (slot, provider, pinned_at) VALUES (?, ?, ?)
                ON CONFLICT (slot) DO UPDATE SET provider = excluded.provider, pinned_at = excluded.pinned_at
                    WHERE pins.provider <> excluded.provider
                """, arguments: [event.subject, provider, event.time.secondsSince1970])
        case .unpinned, .swapCompleted:
            try db.execute(sql: "DELETE FROM pins WHERE slot = ?", arguments: [event.subject])
        default:
            return
        }
    }
}
