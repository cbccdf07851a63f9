import GRDB
import Synchronization

/// Synced commits shared by concurrent writers: each `submit` queues one unit
/// of work and returns when the transaction holding it is on disk. While one
/// batch waits for its fsync, the units that arrive meanwhile queue up and go
/// together in the next transaction, so a burst of N writers pays for about
/// one fsync instead of N. No one waits on purpose: the wait is bounded by the
/// commit in progress (one fsync) plus the batch's own.
///
/// A unit that throws is rolled back alone (it runs in a savepoint) and its
/// submitter gets the error; a commit that fails fails every unit of its batch.
final class GroupCommit<Output: Sendable>: Sendable {
    typealias Unit = @Sendable (Database) throws -> Output

    private struct Waiter {
        let unit: Unit
        let continuation: CheckedContinuation<Result<Output, StateError>, Never>
    }

    private struct Queue {
        var waiting: [Waiter] = []
        var committing = false
    }

    private let database: StateDatabase
    private let operation: String
    private let queue = Mutex(Queue())
    private let commitCount = Atomic<Int>(0)
    /// Most units one transaction carries.
    let maximumBatch: Int

    /// Batches synced commits to `database`; `operation` names them in errors.
    init(database: StateDatabase, operation: String, maximumBatch: Int = 512) {
        self.database = database
        self.operation = operation
        self.maximumBatch = max(1, maximumBatch)
    }

    /// Runs `unit` in the next synced transaction and returns its value once committed.
    func submit(_ unit: @escaping Unit) async throws(StateError) -> Output {
        let result = await withCheckedContinuation { (continuation: CheckedContinuation<Result<Output, StateError>, Never>) in
            let leads = queue.withLock { queue -> Bool in
                queue.waiting.append(Waiter(unit: unit, continuation: continuation))
                guard !queue.committing else { return false }
                queue.committing = true
                return true
            }
            if leads { Task.detached { await self.drain() } }
        }
        return try result.get()
    }

    /// Transactions committed (or attempted) so far.
    var commits: Int { commitCount.load(ordering: .relaxed) }

    /// Commits batches until the queue is empty, then gives up the lead.
    private func drain() async {
        while true {
            let batch = queue.withLock { queue -> [Waiter] in
                let count = min(queue.waiting.count, maximumBatch)
                let batch = Array(queue.waiting.prefix(count))
                queue.waiting.removeFirst(count)
                if batch.isEmpty { queue.committing = false }
                return batch
            }
            if batch.isEmpty { return }
            let units = batch.map(\.unit)
            let outcomes: [Result<Output, StateError>]
            do {
                outcomes = try await database.writeSynced(operation) { db in
                    units.map { unit in
                        var value: Output?
                        do {
                            try db.inSavepoint {
                                value = try unit(db)
                                return .commit
                            }
                            return .success(value!)
                        } catch {
                            return .failure(StateError.wrapping(error, self.operation, path: self.database.path))
                        }
                    }
                }
            } catch {
                outcomes = Array(repeating: .failure(error), count: batch.count)
            }
            commitCount.add(1, ordering: .relaxed)
            for (waiter, outcome) in zip(batch, outcomes) { waiter.continuation.resume(returning: outcome) }
        }
    }
}
