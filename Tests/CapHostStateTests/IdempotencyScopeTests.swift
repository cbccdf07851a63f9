@testable import CapHostState
import CapHostCore
import CapHostTestSupport
import Foundation
import GRDB
import Testing

/// An idempotency key names one request to one target and method: the same key
/// for another capability is another delivery (it used to be dropped silently),
/// a repeat for the same target and method still returns the first delivery.
@Suite(.serialized) struct IdempotencyScopeTests {
    @Test func theSameKeyForTwoTargetsIsTwoDeliveriesAndForOneTargetIsOne() async throws {
        let directory = try TemporaryFolder("state-test")
        defer { directory.remove() }
        let alpha = Recorder(provider: "alpha", in: directory)
        let beta = Recorder(provider: "beta", in: directory)
        try await DurableRig.with([alpha, beta], in: directory) { rig in

            let toAlpha = try await rig.submit(1, key: "shared", target: .provider(alpha.id))
            let toBeta = try await rig.submit(2, key: "shared", target: .provider(beta.id))
            let alphaAgain = try await rig.submit(3, key: "shared", target: .provider(alpha.id))
            try await rig.drained()

            #expect(toAlpha.created && toBeta.created && !alphaAgain.created)
            #expect(toAlpha.record.id != toBeta.record.id)
            #expect(alphaAgain.record.id == toAlpha.record.id)
            #expect(try await rig.engine.record(id: toBeta.record.id)?.state == .delivered)
            #expect(try alpha.lines() == [Recorder.Line(key: "shared", payload: #"{"n":1}"#)])
            #expect(try beta.lines() == [Recorder.Line(key: "shared", payload: #"{"n":2}"#)])
        }
    }

    @Test func deliveriesJournaledUnderTheGlobalKeyAreKeptByTheMigration() async throws {
        let directory = try TemporaryFolder("state-test")
        defer { directory.remove() }
        let path = directory.file("state.sqlite")
        do {
            // The journal as v2 left it: keys unique across every target.
            let pool = try DatabasePool(path: path)
            try StateSchema.migrator.migrate(pool, upTo: "v2: events keep reason and details as columns")
            try await pool.write { db in
                try db.execute(sql: """
                    INSERT INTO deliveries (seq, id, idempotency_key, target, method, payload, state, attempts, delivered_by,
                                            created_at, updated_at)
                    VALUES (5, 'd-old', 'order-17', 'adapter:journal:alpha', 'record', X'7B7D', 'delivered', 1,
                            'adapter:journal:alpha', 1763800000, 1763800001)
                    """)
            }
        }
        let journal = DeliveryJournal(database: try StateDatabase(path: path))
        let old = try #require(try await journal.record(id: "d-old"))
        #expect(old.idempotencyKey == "order-17" && old.state == .delivered && old.target == "adapter:journal:alpha")

        let alpha = CapabilityID(slot: Recorder.slot, provider: "alpha")
        let beta = CapabilityID(slot: Recorder.slot, provider: "beta")
        let repeated = try await journal.insert(DeliveryRequest(target: .provider(alpha), method: "record", payload: [], idempotencyKey: "order-17"),
                                                key: "order-17")
        #expect(!repeated.created && repeated.record.id == "d-old", "a repeat for the same target finds the carried row")
        let other = try await journal.insert(DeliveryRequest(target: .provider(beta), method: "record", payload: [], idempotencyKey: "order-17"),
                                             key: "order-17")
        #expect(other.created && other.record.id != "d-old")
        #expect(try await journal.list().map(\.id) == ["d-old", other.record.id], "the carried row keeps its place in the queue")
    }
}
