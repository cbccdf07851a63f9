import CapHostCore
import Foundation
import GRDB

/// The per-plugin key-value store behind the host services `kv_get`,
/// `kv_put` and `kv_delete`, kept in the state database: (plugin name, key)
/// → value. Pass it to `CapabilityHost(configuration:logger:keyValueStore:)`.
///
/// The host calls it on plugin call threads (never on Swift's cooperative
/// pool), so it reads and writes synchronously; each put or delete is its own
/// committed transaction.
public final class SQLiteKeyValueStore: PluginKeyValueStore {
    private let database: StateDatabase

    public init(database: StateDatabase) {
        self.database = database
    }

    /// The value stored under `key` for `plugin`, or nil.
    public func value(plugin: String, key: [UInt8]) throws -> [UInt8]? {
        try database.readNow("read key-value state of plugin \(plugin)") { db in
            try Data.fetchOne(db, sql: "SELECT value FROM kv WHERE plugin = ? AND key = ?",
                              arguments: [plugin, Data(key)]).map { Array($0) }
        }
    }

    /// Stores `value` under `key` for `plugin`, replacing any earlier value.
    public func store(plugin: String, key: [UInt8], value: [UInt8]) throws {
        try database.writeNow("write key-value state of plugin \(plugin)") { db in
            try db.execute(sql: """
                INSERT INTO kv (plugin, key, value, updated_at) VALUES (?, ?, ?, ?)
                ON CONFLICT (plugin, key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at
                """, arguments: [plugin, Data(key), Data(value), WallClockTime.now.secondsSince1970])
        }
    }

    /// Deletes `key` for `plugin`; succeeds whether or not it existed.
    public func delete(plugin: String, key: [UInt8]) throws {
        try database.writeNow("delete key-value state of plugin \(plugin)") { db in
            try db.execute(sql: "DELETE FROM kv WHERE plugin = ? AND key = ?", arguments: [plugin, Data(key)])
        }
    }
}
