@testable import CapHostState
import CapHostCore
import CapHostTestSupport
import Foundation
import GRDB
import Testing

/// Migrations carry what an older caphost wrote.
@Suite(.serialized) struct StateSchemaTests {
    @Test func eventsWrittenByTheFirstSchemaAreReadAfterTheSecond() async throws {
        let directory = try TemporaryFolder("state-test")
        defer { directory.remove() }
        let path = directory.file("state.sqlite")
        do {
            // The database as the first schema left it: each event one JSON document.
            let pool = try DatabasePool(path: path)
            try StateSchema.migrator.migrate(pool, upTo: "v1: kv, runs, events, pins, score samples, deliveries")
            try await pool.write { db in
                try db.execute(sql: "INSERT INTO runs (id, started_at, pid) VALUES (7, 1763800000.5, 42)")
                try db.execute(sql: """
                    INSERT INTO events (id, run_id, sequence, time, kind, subject, body) VALUES
                    (41, 7, 1, 1763800001.25, 'pinned', 'adapter:bench',
                     '{"details":{"provider":"b"},"kind":"pinned","reason":"pinned to b","sequence":1,"subject":"adapter:bench","time":1763800001.25}')
                    """)
            }
        }
        let archive = EventArchive(database: try StateDatabase(path: path), logger: quietLogger)
        let old = try #require(try archive.events().first)
        #expect(old.id == 41 && old.runID == 7)
        #expect(old.event.kind == .pinned && old.event.subject == "adapter:bench" && old.event.reason == "pinned to b")
        #expect(old.event.details == ["provider": "b"] && old.event.sequence == 1 && old.event.time.secondsSince1970 == 1763800001.25)

        try await TestHost.with { test in
            try archive.attach(to: test.host)
            test.host.events.record(.healthChanged, subject: "adapter:bench:b", reason: "after the migration")
            archive.flush()
            let all = try archive.events()
            #expect(all.count == 2 && all[1].id > 41, "ids keep growing past the carried rows")
            archive.close()
        }
    }
}
