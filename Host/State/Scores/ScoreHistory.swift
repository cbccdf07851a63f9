import CapHostCore
import Foundation
import GRDB
import Logging
import Synchronization

/// Samples every candidate's score, score parts, breaker and status from
/// `host.capabilities()` on an interval, and keeps the newest
/// `retainedPerCapability` samples of each candidate.
///
/// Sampling runs on a timer of its own queue (it writes to disk; Swift's
/// cooperative threads never wait on it).
public final class ScoreHistory: Sendable {
    private let database: StateDatabase
    private let retainedPerCapability: Int
    private let logger: Logger
    private let queue = DispatchQueue(label: "caphost-state-scores")
    private let timer = Mutex<(any DispatchSourceTimer)?>(nil)

    public init(database: StateDatabase, retainedPerCapability: Int = 1000, logger: Logger = Logger(label: "caphost.state")) {
        self.database = database
        self.retainedPerCapability = max(1, retainedPerCapability)
        self.logger = logger
    }

    /// Samples `host` every `interval` until `stop()` (replacing an earlier schedule).
    /// The history holds the host weakly.
    public func start(host: CapabilityHost, every interval: Duration) {
        let nanoseconds = max(1_000_000, Int(interval.components.seconds) * 1_000_000_000 + Int(interval.components.attoseconds / 1_000_000_000))
        timer.withLock { timer in
            timer?.cancel()
            let source = DispatchSource.makeTimerSource(queue: queue)
            source.schedule(deadline: .now() + .nanoseconds(nanoseconds), repeating: .nanoseconds(nanoseconds))
            source.setEventHandler { [weak self, weak host] in
                guard let self, let host else { return }
                do throws(StateError) {
                    try self.sample(host)
                } catch {
                    self.logger.warning("score history: \(error.message)")
                }
            }
            source.resume()
            timer = source
        }
    }

    /// Stops sampling; a sample being written finishes first.
    public func stop() {
        timer.withLock { timer in
            timer?.cancel()
            timer = nil
        }
        queue.sync {}
    }

    /// Records one sample of every candidate of `host` now, and drops the
    /// samples past the retention limit. Returns how many it recorded.
    @discardableResult
    public func sample(_ host: CapabilityHost) throws(StateError) -> Int {
        let slots = host.capabilities()
        let now = WallClockTime.now.secondsSince1970
        let retained = retainedPerCapability
        return try database.writeNow("record score samples") { db in
            let insert = try db.cachedStatement(sql: """
                INSERT INTO score_samples (time, capability, score, success_rate, latency, health, samples, breaker,
                                           status, in_flight, calls, failures)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
            let prune = try db.cachedStatement(sql: """
                DELETE FROM score_samples WHERE capability = ? AND id <= (
                    SELECT id FROM score_samples WHERE capability = ? ORDER BY id DESC LIMIT 1 OFFSET ?)
                """)
            var recorded = 0
            for slot in slots {
                for candidate in slot.candidates {
                    try insert.execute(arguments: [
                        now, candidate.id, candidate.score, candidate.scoreParts.successRate, candidate.scoreParts.latency,
                        candidate.scoreParts.health, candidate.scoreParts.samples, candidate.breaker, candidate.status,
                        candidate.inFlight, candidate.calls, candidate.failures,
                    ])
                    try prune.execute(arguments: [candidate.id, candidate.id, retained])
                    recorded += 1
                }
            }
            return recorded
        }
    }

    /// The newest `limit` samples of `capability`, oldest first.
    public func history(capability: CapabilityID, limit: Int = 100) throws(StateError) -> [ScoreSample] {
        try database.readNow("read score history of \(capability)") { db in
            try Row.fetchAll(db, sql: """
                SELECT * FROM (SELECT * FROM score_samples WHERE capability = ? ORDER BY id DESC LIMIT ?) ORDER BY id
                """, arguments: [capability.description, max(0, limit)]).map { row in
                ScoreSample(time: WallClockTime(secondsSince1970: row["time"]), capability: row["capability"],
                            score: row["score"], successRate: row["success_rate"], latency: row["latency"],
                            health: row["health"], samples: row["samples"], breaker: row["breaker"],
                            status: row["status"], inFlight: row["in_flight"], calls: row["calls"],
                            failures: row["failures"])
            }
        }
    }
}
