import CapHostCore
import Foundation
import GRDB

/// The durable journal: the `deliveries` table and every change to it. Each
/// method commits before it returns, on GRDB's queues (the calling task
/// suspends; no cooperative thread waits on the disk). Inserts that arrive
/// together share one synced commit (`GroupCommit`).
public final class DeliveryJournal: Sendable {
    let database: StateDatabase
    let inserts: GroupCommit<DeliverySubmission>

    /// The journal kept in `database`.
    public init(database: StateDatabase) {
        self.database = database
        self.inserts = GroupCommit(database: database, operation: "journal a delivery")
    }

    /// One delivery by id, or nil.
    public func record(id: String) async throws(StateError) -> DeliveryRecord? {
        try await database.read("read delivery \(id)") { db in
            try Row.fetchOne(db, sql: "SELECT * FROM deliveries WHERE id = ?", arguments: [id]).map(Self.record(from:))
        }
    }

    /// Deliveries in `state` (all when nil), oldest first, at most `limit`.
    public func list(state: DeliveryState? = nil, limit: Int = 100) async throws(StateError) -> [DeliveryRecord] {
        try await database.read("list deliveries") { db in
            let rows = if let state {
                try Row.fetchAll(db, sql: "SELECT * FROM deliveries WHERE state = ? ORDER BY seq LIMIT ?",
                                 arguments: [state.rawValue, max(0, limit)])
            } else {
                try Row.fetchAll(db, sql: "SELECT * FROM deliveries ORDER BY seq LIMIT ?", arguments: [max(0, limit)])
            }
            return try rows.map(Self.record(from:))
        }
    }

    /// Deliveries not yet finished: pending plus in flight.
    public func depth() async throws(StateError) -> Int {
        try await database.read("count pending deliveries") { db in
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM deliveries WHERE state IN ('pending', 'inFlight')") ?? 0
        }
    }

    // MARK: - Changes (the engine's)

    /// Journals `request` under `key`, or returns the delivery that already has
    /// the key. The commit waits for the disk: it is what the caller is told.
    /// Concurrent inserts share the commit; the same key twice in one commit is
    /// one delivery, created by the first.
    func insert(_ request: DeliveryRequest, key: String) async throws(StateError) -> DeliverySubmission {
        let id = UUID().uuidString.lowercased()
        let now = WallClockTime.now.secondsSince1970
        return try await inserts.submit { db in
            // A key is scoped to its target and method: the same key for another
            // capability or method is another delivery. ON CONFLICT: another process on
            // the same file may journal the same key between our look and our insert;
            // the key's first delivery wins either way.
            let target = request.target.description
            try db.cachedStatement(sql: """
                INSERT INTO deliveries (id, idempotency_key, target, method, payload, state, created_at, updated_at, next_attempt_at,
                                        attempt_timeout_ms)
                VALUES (?, ?, ?, ?, ?, 'pending', ?, ?, ?, ?)
                ON CONFLICT (target, method, idempotency_key) DO NOTHING
                """).execute(arguments: [id, key, target, request.method, Data(request.payload), now, now, now,
                                          request.attemptTimeout.map(Self.milliseconds)])
            let created = db.changesCount > 0
            let lookup = try db.cachedStatement(sql: "SELECT * FROM deliveries WHERE target = ? AND method = ? AND idempotency_key = ?")
            let row = try Row.fetchOne(lookup, arguments: [target, request.method, key])!
            return DeliverySubmission(record: try Self.record(from: row), created: created)
        }
    }

    /// Marks up to `limit` due pending deliveries in flight and returns them, first come first served.
    func claimDue(limit: Int) async throws(StateError) -> [ClaimedDelivery] {
        guard limit > 0 else { return [] }
        let now = WallClockTime.now.secondsSince1970
        return try await database.write("claim due deliveries") { db in
            let rows = try Row.fetchAll(db, sql: """
                SELECT seq, id, idempotency_key, target, method, payload, attempts, failed_providers, attempt_timeout_ms FROM deliveries
                WHERE state = 'pending' AND next_attempt_at <= ? ORDER BY next_attempt_at, seq LIMIT ?
                """, arguments: [now, limit])
            let claim = try db.cachedStatement(sql: "UPDATE deliveries SET state = 'inFlight', updated_at = ? WHERE seq = ?")
            return try rows.map { row in
                try claim.execute(arguments: [now, row["seq"] as Int64])
                let target: String = row["target"]
                let payload: Data? = row["payload"]
                return ClaimedDelivery(id: row["id"], idempotencyKey: row["idempotency_key"], target: target,
                                       reference: CapabilityReference(parsing: target), method: row["method"],
                                       payload: payload.map { Array($0) } ?? [], attempts: row["attempts"],
                                       failedProviders: Self.providers(from: row["failed_providers"]),
                                       attemptTimeout: (row["attempt_timeout_ms"] as Int64?).map { .milliseconds($0) })
            }
        }
    }

    /// Records a successful attempt and the answer (`response` nil: too large to keep; `responseBytes` is its size).
    func markDelivered(_ id: String, by provider: CapabilityID, attempts: Int, response: [UInt8]?,
                       responseBytes: Int) async throws(StateError) {
        let now = WallClockTime.now.secondsSince1970
        try await database.write("mark delivery \(id) delivered") { db in
            try db.execute(sql: """
                UPDATE deliveries SET state = 'delivered', attempts = ?, delivered_by = ?, updated_at = ?, next_attempt_at = NULL,
                                      response = ?, response_bytes = ?
                WHERE id = ?
                """, arguments: [attempts, provider.description, now, response.map { Data($0) }, responseBytes, id])
        }
    }

    /// Records a failed attempt: back to `pending` until `retryAt`, or `dead` when `retryAt` is nil.
    func markFailed(_ id: String, attempts: Int, error: InvocationError, failedProviders: [String],
                    retryAt: WallClockTime?) async throws(StateError) {
        let now = WallClockTime.now.secondsSince1970
        let failed = String(decoding: (try? JSONEncoder().encode(failedProviders)) ?? Data("[]".utf8), as: UTF8.self)
        try await database.write("record a failed attempt of delivery \(id)") { db in
            try db.execute(sql: """
                UPDATE deliveries SET state = ?, attempts = ?, last_error = ?, last_error_code = ?, failed_providers = ?,
                                      updated_at = ?, next_attempt_at = ?
                WHERE id = ?
                """, arguments: [retryAt == nil ? DeliveryState.dead.rawValue : DeliveryState.pending.rawValue, attempts,
                                 error.description, error.code.rawValue, failed, now, retryAt?.secondsSince1970, id])
        }
    }

    /// Puts every `inFlight` delivery back to `pending`, due now: attempts a
    /// stopped or crashed host left unfinished. Returns how many.
    func requeueInFlight() async throws(StateError) -> Int {
        let now = WallClockTime.now.secondsSince1970
        return try await database.write("requeue unfinished deliveries") { db in
            try db.execute(sql: "UPDATE deliveries SET state = 'pending', updated_at = ?, next_attempt_at = ? WHERE state = 'inFlight'",
                           arguments: [now, now])
            return db.changesCount
        }
    }

    /// When the earliest pending delivery is due, or nil when none is pending.
    func nextDue() async throws(StateError) -> WallClockTime? {
        try await database.read("find the next due delivery") { db in
            try Double.fetchOne(db, sql: "SELECT MIN(next_attempt_at) FROM deliveries WHERE state = 'pending'")
                .map(WallClockTime.init(secondsSince1970:))
        }
    }

    /// Deletes delivered and dead rows last changed before `cutoff`; returns how many.
    func pruneFinished(before cutoff: WallClockTime) async throws(StateError) -> Int {
        try await database.write("prune finished deliveries") { db in
            try db.execute(sql: "DELETE FROM deliveries WHERE state IN ('delivered', 'dead') AND updated_at < ?",
                           arguments: [cutoff.secondsSince1970])
            return db.changesCount
        }
    }

    // MARK: - Rows

    static func record(from row: Row) throws -> DeliveryRecord {
        let stateText: String = row["state"]
        guard let state = DeliveryState(rawValue: stateText) else {
            throw StateError(code: .unreadable, message: "delivery \(row["id"] as String) has unknown state '\(stateText)'")
        }
        let nextAttempt: Double? = row["next_attempt_at"]
        let response: Data? = row["response"]
        return DeliveryRecord(
            id: row["id"], idempotencyKey: row["idempotency_key"], target: row["target"], method: row["method"],
            state: state, attempts: row["attempts"], lastError: row["last_error"], lastErrorCode: row["last_error_code"],
            deliveredBy: row["delivered_by"], failedProviders: providers(from: row["failed_providers"]),
            response: response.map { String(decoding: $0, as: UTF8.self) }, responseBytes: row["response_bytes"],
            createdAt: WallClockTime(secondsSince1970: row["created_at"]),
            updatedAt: WallClockTime(secondsSince1970: row["updated_at"]),
            nextAttemptAt: nextAttempt.map(WallClockTime.init(secondsSince1970:)))
    }

    static func milliseconds(_ duration: Duration) -> Int64 {
        duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
    }

    static func providers(from text: String?) -> [String] {
        guard let text else { return [] }
        return (try? JSONDecoder().decode([String].self, from: Data(text.utf8))) ?? []
    }
}
