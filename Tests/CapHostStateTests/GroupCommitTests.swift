@testable import CapHostState
import CapHostCore
import CapHostTestSupport
import Foundation
import GRDB
import Testing

/// Concurrent synced commits share transactions; an acknowledgement still
/// means the row is committed, and one bad unit fails alone.
@Suite(.serialized) struct GroupCommitTests {
    /// 160 concurrent durable submits (16 of them repeating one key) commit in
    /// far fewer transactions than submits; every acknowledged delivery is in
    /// the journal, and the repeated key is one delivery created once.
    @Test func concurrentSubmitsShareCommitsAndARepeatedKeyIsCreatedOnce() async throws {
        let directory = try TemporaryFolder("state-test")
        defer { directory.remove() }
        let alpha = Recorder(provider: "alpha", in: directory)
        try await DurableRig.with([alpha], in: directory) { rig in
            let submissions = try await withThrowingTaskGroup(of: DeliverySubmission.self) { group in
                for index in 0..<160 {
                    group.addTask { try await rig.submit(index, key: index < 16 ? "shared" : "own-\(index)") }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            let commits = rig.journal.inserts.commits
            #expect(commits < 80, "160 concurrent submits took \(commits) commits")
            let shared = submissions.filter { $0.record.idempotencyKey == "shared" }
            #expect(shared.count == 16 && shared.filter(\.created).count == 1)
            #expect(Set(shared.map(\.record.id)).count == 1)
            #expect(submissions.filter(\.created).count == 145)
            // Acknowledged means committed: a second connection sees every row.
            let reader = try directory.open()
            let rows = try await DeliveryJournal(database: reader).list(limit: 1000)
            #expect(Set(rows.map(\.id)) == Set(submissions.map(\.record.id)))
            try await rig.drained()
            #expect(try alpha.lines().count == 145)
            print("group commit: 160 concurrent submits in \(commits) commits")
        }
    }

    /// A unit that throws is rolled back alone; its neighbours in the batch commit.
    @Test func aFailingUnitFailsAloneAndItsBatchCommits() async throws {
        let directory = try TemporaryFolder("state-test")
        defer { directory.remove() }
        let database = try directory.open()
        try await database.write("make a table") { db in try db.execute(sql: "CREATE TABLE t (n INTEGER PRIMARY KEY)") }
        let commit = GroupCommit<Int>(database: database, operation: "insert into t")
        let results = await withTaskGroup(of: (Int, Result<Int, StateError>).self) { group in
            for n in 0..<50 {
                group.addTask {
                    do throws(StateError) {
                        return (n, .success(try await commit.submit { db in
                            try db.execute(sql: "INSERT INTO t (n) VALUES (?)", arguments: [n])
                            if n == 7 { try db.execute(sql: "INSERT INTO t (n) VALUES (?)", arguments: [n]) }
                            return n
                        }))
                    } catch {
                        return (n, .failure(error))
                    }
                }
            }
            return await group.reduce(into: [:]) { $0[$1.0] = $1.1 }
        }
        #expect(results.count == 50)
        for (n, result) in results {
            if n == 7 {
                guard case .failure(let error) = result else { Issue.record("unit 7 should fail"); continue }
                #expect(error.message.contains("UNIQUE constraint failed: t.n"), "\(error.message)")
                #expect(error.message.contains("insert into t"), "\(error.message)")
            } else {
                #expect((try? result.get()) == n)
            }
        }
        let stored = try await database.read("read t") { db in try Int.fetchAll(db, sql: "SELECT n FROM t ORDER BY n") }
        #expect(stored == (0..<50).filter { $0 != 7 })
        #expect(commit.commits < 50)
    }
}
