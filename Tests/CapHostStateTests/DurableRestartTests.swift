import CapHostCore
import CapHostState
import CapHostTestSupport
import Foundation
import Testing

/// A host that dies mid-delivery loses no acknowledged call: the next host on
/// the same database replays what was pending or in flight.
@Suite(.serialized) struct DurableRestartTests {
    /// The first host and engine are abandoned as a crash leaves them: no
    /// stop, nothing closed, two attempts frozen inside the plugin (its hold
    /// file), the rest of the batch still pending. A second host and engine
    /// on the same database file must deliver every acknowledged call.
    @Test func deliveriesLeftInFlightOrPendingByAnAbandonedHostAreDeliveredByTheNext() async throws {
        let directory = try TemporaryFolder("state-test")
        defer { directory.remove() }
        let firstRecorder = Recorder(provider: "alpha", in: directory, delayMilliseconds: 20, run: 1)
        let crashed = try await DurableRig.start([firstRecorder], in: directory, settings: DurableRig.settings(workers: 2))
        var acknowledged: [String: String] = [:]
        for index in 0..<60 {
            let submission = try await crashed.submit(index, key: "restart-\(index)")
            acknowledged[submission.record.idempotencyKey] = submission.record.id
        }
        try await eventually("five deliveries", timeout: .seconds(20)) { try firstRecorder.lines().count >= 5 }
        try firstRecorder.hold()
        // Both workers end up frozen inside the plugin, their rows `inFlight`.
        try await eventually("both workers frozen in flight", timeout: .seconds(20)) { try await crashed.journal.list(state: .inFlight).count == 2 }
        let frozen = try await crashed.journal.list(state: .inFlight).map(\.id)
        let deliveredBeforeCrash = try await crashed.journal.list(state: .delivered, limit: 1000).count
        let pendingAtCrash = try await crashed.journal.list(state: .pending, limit: 1000).count
        #expect(deliveredBeforeCrash >= 5 && pendingAtCrash > 0)
        #expect(deliveredBeforeCrash + pendingAtCrash + frozen.count == 60)

        // The "restart": a new host and engine on the same file; the first pair is never stopped.
        let secondRecorder = Recorder(provider: "alpha", in: directory, run: 2)
        let restarted = try await DurableRig.start([secondRecorder], in: directory, settings: DurableRig.settings(workers: 2))
        try await restarted.drained()

        let records = try await restarted.journal.list(limit: 1000)
        #expect(records.count == 60)
        #expect(records.allSatisfy { $0.state == .delivered })
        for id in frozen {
            #expect(records.first { $0.id == id }?.state == .delivered, "frozen in flight at the crash, delivered after")
        }
        let lines = try secondRecorder.lines()
        let seen = Set(lines.map(\.key))
        #expect(Set(acknowledged.keys).isSubset(of: seen), "lost: \(Set(acknowledged.keys).subtracting(seen).sorted())")
        #expect(seen.isSubset(of: Set(acknowledged.keys)), "every line carries an acknowledged key")
        for line in lines {
            let index = Int(line.key.dropFirst("restart-".count))!
            #expect(line.payload == #"{"n":\#(index)}"#)
        }
        print("durable restart: \(deliveredBeforeCrash) delivered before the crash, \(frozen.count) in flight, \(pendingAtCrash) pending; all 60 delivered, \(lines.count - 60) delivered twice")

        // Clean up: let the frozen attempts finish (they record again: at least once), then stop both.
        firstRecorder.release()
        await crashed.stop()
        await restarted.stop()
        #expect(Set(try secondRecorder.lines().map(\.key)) == Set(acknowledged.keys))
    }
}
