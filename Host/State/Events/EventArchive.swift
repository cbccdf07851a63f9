import CapHostCore
import Foundation
import GRDB
import Logging
import Synchronization

/// Keeps every `HostEvent` in the state database, across host runs.
///
/// `attach(to:)` makes the archive the host's event sink and starts a new run.
/// The sink runs on whatever thread records an event (thousands a second in a
/// swap storm), so it only appends to a buffer; a serial queue writes the
/// buffer in batches, one transaction each, while the next batch fills.
/// `flush()` returns once everything recorded before it is committed;
/// `close()` flushes and detaches. Events the host recorded before `attach`
/// (still in its memory) are archived too.
public final class EventArchive: Sendable {
    /// Limits of the archive.
    public struct Settings: Sendable {
        /// Events kept; older ones are deleted as new ones arrive.
        public var retainedEvents = 1_000_000
        /// Events buffered while the writer is behind; past this the oldest
        /// buffered ones are dropped (and counted) rather than growing without bound.
        public var maxBufferedEvents = 100_000
        /// The defaults above.
        public init() {}
    }

    private struct Buffer {
        var pending: [HostEvent] = []
        var drainScheduled = false
        var runID: Int64?
        var host: CapabilityHost?
        var dropped = 0
        var insertedSincePrune = 0
    }

    private let database: StateDatabase
    private let projections: [any EventProjection]
    private let settings: Settings
    private let logger: Logger
    private let buffer = Mutex(Buffer())
    private let writer = DispatchQueue(label: "caphost-state-events")

    /// An archive that also keeps `pins` up to date from `.pinned`, `.unpinned`
    /// and `.swapCompleted` events (see `PinStore`).
    public init(database: StateDatabase, pins: PinStore? = nil, settings: Settings = Settings(),
                logger: Logger = Logger(label: "caphost.state")) {
        self.database = database
        self.projections = pins.map { [$0] } ?? []
        self.settings = settings
        self.logger = logger
    }

    /// The current run's id, once attached.
    public var runID: Int64? { buffer.withLock { $0.runID } }

    /// Events dropped because the buffer overflowed or a batch could not be written.
    public var droppedEvents: Int { buffer.withLock { $0.dropped } }

    /// Starts a new run and becomes `host`'s event sink. Attach before
    /// `host.start()` so the run's first loads are archived as they happen.
    /// The host's event numbers continue after the highest archived one, so the
    /// ids clients see keep increasing across restarts.
    @discardableResult
    public func attach(to host: CapabilityHost) throws(StateError) -> Int64 {
        let (runID, highestSequence) = try database.writeNow("start a run in the event archive") { db -> (Int64, Int64) in
            try db.execute(sql: "INSERT INTO runs (started_at, pid) VALUES (?, ?)",
                           arguments: [WallClockTime.now.secondsSince1970, Int(ProcessInfo.processInfo.processIdentifier)])
            let runID = db.lastInsertedRowID
            return (runID, try Int64.fetchOne(db, sql: "SELECT MAX(sequence) FROM events") ?? 0)
        }
        host.events.continueNumbering(after: UInt64(max(0, highestSequence)))
        // Holding the buffer while the sink is installed and the host's memory is
        // read: events recorded meanwhile wait for the lock and land after the
        // backlog; the (run, sequence) key drops the ones seen twice.
        buffer.withLock { buffer in
            buffer.runID = runID
            buffer.host = host
            host.events.setSink { [weak self] event in self?.enqueue(event) }
            let backlog = host.events.events(after: 0, limit: host.events.capacity)
            buffer.pending.insert(contentsOf: backlog, at: 0)
            scheduleDrain(&buffer)
        }
        return runID
    }

    /// Blocks until every event recorded before the call is committed.
    public func flush() {
        writer.sync { drain() }
    }

    /// Flushes and detaches from the host; later events are not archived.
    public func close() {
        let host = buffer.withLock { buffer -> CapabilityHost? in
            defer { buffer.host = nil }
            return buffer.host
        }
        host?.events.setSink(nil)
        flush()
    }

    /// Archived events with an id greater than `after`, oldest first, at most
    /// `limit`, across runs; only `kinds` when given.
    public func events(after: Int64 = 0, limit: Int = 1000, kinds: Set<HostEvent.Kind>? = nil) throws(StateError) -> [StoredEvent] {
        var sql = "SELECT id, run_id, sequence, time, kind, subject, reason, details FROM events WHERE id > ?"
        var values: [(any DatabaseValueConvertible)?] = [after]
        if let kinds {
            guard !kinds.isEmpty else { return [] }
            sql += " AND kind IN (\(Array(repeating: "?", count: kinds.count).joined(separator: ", ")))"
            values += kinds.map(\.rawValue).sorted() as [(any DatabaseValueConvertible)?]
        }
        sql += " ORDER BY id LIMIT ?"
        values.append(max(0, limit))
        let arguments = StatementArguments(values)
        let rows = try database.readNow("read archived events") { db in try Row.fetchAll(db, sql: sql, arguments: arguments) }
        // HostEvent keeps its initialiser to the core, so rows come back through its
        // Codable form: one JSON array, decoded at once.
        var text = "["
        for (index, row) in rows.enumerated() {
            if index > 0 { text += "," }
            text += "{\"sequence\":\(row["sequence"] as Int64),\"time\":\(row["time"] as Double),\"kind\":"
            Self.appendQuoted(row["kind"] as String, to: &text)
            text += ",\"subject\":"
            Self.appendQuoted(row["subject"] as String, to: &text)
            text += ",\"reason\":"
            Self.appendQuoted(row["reason"] as String, to: &text)
            text += ",\"details\":" + (row["details"] as String) + "}"
        }
        text += "]"
        let events: [HostEvent]
        do {
            events = try JSONDecoder().decode([HostEvent].self, from: Data(text.utf8))
        } catch {
            let range = rows.isEmpty ? "" : " (ids \(rows.first!["id"] as Int64)...\(rows.last!["id"] as Int64))"
            throw StateError(code: .unreadable, message: "archived events in \(database.path)\(range) cannot be read back: \(error)")
        }
        return zip(rows, events).map { row, event in StoredEvent(id: row["id"], runID: row["run_id"], event: event) }
    }

    // MARK: - Writing

    private func enqueue(_ event: HostEvent) {
        buffer.withLock { buffer in
            if buffer.pending.count >= settings.maxBufferedEvents {
                // Drop a tenth at once: one shift of the array per many events.
                let excess = max(1, settings.maxBufferedEvents / 10)
                buffer.pending.removeFirst(min(excess, buffer.pending.count))
                buffer.dropped += excess
            }
            buffer.pending.append(event)
            scheduleDrain(&buffer)
        }
    }

    private func scheduleDrain(_ buffer: inout Buffer) {
        guard !buffer.drainScheduled else { return }
        buffer.drainScheduled = true
        writer.async { [self] in drain() }
    }

    /// Writes everything buffered in one transaction. Runs on `writer` only.
    private func drain() {
        let (batch, runID) = buffer.withLock { buffer in
            defer { buffer.pending.removeAll(keepingCapacity: true); buffer.drainScheduled = false }
            return (buffer.pending, buffer.runID)
        }
        guard let runID, !batch.isEmpty else { return }
        let ordered = batch.sorted { $0.sequence < $1.sequence }
        do {
            let inserted = try database.writeNow("archive \(ordered.count) event(s)") { db -> Int in
                try insert(ordered, runID: runID, in: db)
            }
            prune(after: inserted)
        } catch {
            buffer.withLock { $0.dropped += ordered.count }
            logger.error("event archive: \(error.message); \(ordered.count) event(s) lost")
        }
    }

    private func insert(_ events: [HostEvent], runID: Int64, in db: Database) throws -> Int {
        let statement = try db.cachedStatement(sql: """
            INSERT OR IGNORE INTO events (run_id, sequence, time, kind, subject, reason, details) VALUES (?, ?, ?, ?, ?, ?, ?)
            """)
        var inserted = 0
        for event in events {
            try statement.execute(arguments: [runID, Int64(event.sequence), event.time.secondsSince1970,
                                              event.kind.rawValue, event.subject, event.reason, Self.json(event.details)])
            // A repeat (backlog and sink both saw it) changes nothing, and is not projected twice.
            guard db.changesCount > 0 else { continue }
            inserted += 1
            for projection in projections { try projection.apply(event, in: db) }
        }
        return inserted
    }

    /// `details` as a JSON object; most events have none or a few, and this
    /// runs for every event of a storm, so it skips the encoder's machinery.
    static func json(_ details: [String: String]) -> String {
        guard !details.isEmpty else { return "{}" }
        var text = "{"
        for (index, key) in details.keys.sorted().enumerated() {
            if index > 0 { text += "," }
            appendQuoted(key, to: &text)
            text += ":"
            appendQuoted(details[key]!, to: &text)
        }
        return text + "}"
    }

    static func appendQuoted(_ value: String, to text: inout String) {
        text += "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": text += "\\\""
            case "\\": text += "\\\\"
            case "\n": text += "\\n"
            case "\r": text += "\\r"
            case "\t": text += "\\t"
            case _ where scalar.value < 0x20: text += String(format: "\\u%04x", scalar.value)
            default: text.unicodeScalars.append(scalar)
            }
        }
        text += "\""
    }

    /// Deletes the oldest events past the retention limit, every thousand or so inserts.
    private func prune(after inserted: Int) {
        let due = buffer.withLock { buffer -> Bool in
            buffer.insertedSincePrune += inserted
            guard buffer.insertedSincePrune >= min(1000, settings.retainedEvents) else { return false }
            buffer.insertedSincePrune = 0
            return true
        }
        guard due else { return }
        let retained = settings.retainedEvents
        do {
            try database.writeNow("prune the event archive") { db in
                try db.execute(sql: "DELETE FROM events WHERE id <= (SELECT MAX(id) FROM events) - ?", arguments: [retained])
            }
        } catch {
            logger.warning("event archive: \(error.message)")
        }
    }
}
