import CapHostCore
import CapHostState
import CapHostTestSupport
import Foundation
import Testing

/// Durable invocations against real recorder plugins and a real SQLite journal.
@Suite(.serialized) struct DurableDeliveryTests {
    @Test func aBatchIsDeliveredOnceEachWithItsKey() async throws {
        let directory = try TemporaryFolder("state-test")
        defer { directory.remove() }
        let alpha = Recorder(provider: "alpha", in: directory)
        try await DurableRig.with([alpha], in: directory) { rig in
            let started = ContinuousClock.now
            var submissions: [DeliverySubmission] = []
            for index in 0..<200 { submissions.append(try await rig.submit(index, key: "batch-\(index)")) }
            let submitTime = ContinuousClock.now - started
            #expect(submissions.allSatisfy { $0.created })
            #expect(submissions.map(\.record.idempotencyKey) == (0..<200).map { "batch-\($0)" })
            try await rig.drained()
            let deliverTime = ContinuousClock.now - started

            let lines = try alpha.lines()
            #expect(lines.count == 200, "each delivered exactly once here (no failures, no restart)")
            #expect(Set(lines) == Set((0..<200).map { Recorder.Line(key: "batch-\($0)", payload: #"{"n":\#($0)}"#) }))
            let delivered = try await rig.engine.list(state: .delivered, limit: 1000)
            #expect(delivered.count == 200)
            #expect(delivered.allSatisfy { $0.deliveredBy == "adapter:journal:alpha" && $0.attempts == 1 && $0.nextAttemptAt == nil })
            #expect(delivered.allSatisfy { $0.target == "adapter:journal" && $0.method == "record" && $0.lastError == nil })
            #expect(rig.engine.depth == 0)
            #expect(rig.counter("delivered") == 200 && rig.counter("retried") == 0 && rig.counter("dead") == 0)
            #expect(rig.depthGauge() == 0)
            print("durable: 200 submits committed in \(submitTime) (\(submitTime / 200) each); all delivered after \(deliverTime)")
        }
    }

    @Test func aRepeatedKeyReturnsTheJournaledDeliveryAndAMissingKeyIsGenerated() async throws {
        let directory = try TemporaryFolder("state-test")
        defer { directory.remove() }
        let alpha = Recorder(provider: "alpha", in: directory)
        try await DurableRig.with([alpha], in: directory) { rig in
            let first = try await rig.submit(1, key: "same")
            let unkeyed = try await rig.submit(2, key: nil)
            try await rig.drained()
            let repeated = try await rig.submit(99, key: "same")
            #expect(first.created && !repeated.created)
            #expect(repeated.record.id == first.record.id && repeated.record.state == .delivered)
            #expect(UUID(uuidString: unkeyed.record.idempotencyKey) != nil, "generated keys are UUIDs")
            #expect(Set(try alpha.lines()) == [Recorder.Line(key: "same", payload: #"{"n":1}"#),
                                               Recorder.Line(key: unkeyed.record.idempotencyKey, payload: #"{"n":2}"#)])
            #expect(try alpha.lines().count == 2, "the repeat queued nothing")
            let stored = try #require(try await rig.engine.record(id: first.record.id))
            #expect(stored.state == .delivered && stored.idempotencyKey == "same")
            #expect(try await rig.engine.record(id: "no-such-delivery") == nil)
        }
    }

    @Test func aFailingProviderFailsOverToTheOtherProviderOfTheSlot() async throws {
        let directory = try TemporaryFolder("state-test")
        defer { directory.remove() }
        let alpha = Recorder(provider: "alpha", priority: 10, in: directory)
        let beta = Recorder(provider: "beta", priority: 0, in: directory)
        try alpha.failCalls()
        try await DurableRig.with([alpha, beta], in: directory) { rig in
            #expect(rig.test.host.resolve(Recorder.slot)?.provider == "alpha", "alpha wins on priority")
            for index in 0..<10 { try await rig.submit(index, key: "failover-\(index)") }
            try await rig.drained()

            #expect(try alpha.lines().isEmpty)
            #expect(Set(try beta.lines().map(\.key)) == Set((0..<10).map { "failover-\($0)" }))
            #expect(try beta.lines().count == 10)
            let delivered = try await rig.engine.list(state: .delivered)
            #expect(delivered.count == 10 && delivered.allSatisfy { $0.deliveredBy == "adapter:journal:beta" })
            let failedOver = delivered.filter { $0.failedProviders == ["alpha"] }
            #expect(!failedOver.isEmpty)
            #expect(failedOver.allSatisfy { $0.attempts == 2 && $0.lastErrorCode == "unavailable" })
            #expect(failedOver.allSatisfy { $0.lastError?.contains("recorder alpha: fail_file is present") == true })
            #expect(rig.counter("retried") == Int64(failedOver.count) && rig.counter("delivered") == 10)
        }
    }

    @Test func whenEveryProviderFailsTheDeliveryIsRetriedThenDeadLettered() async throws {
        let directory = try TemporaryFolder("state-test")
        defer { directory.remove() }
        let alpha = Recorder(provider: "alpha", priority: 10, in: directory)
        let beta = Recorder(provider: "beta", priority: 0, in: directory)
        try alpha.failCalls()
        try beta.failCalls()
        try await DurableRig.with([alpha, beta], in: directory, settings: DurableRig.settings(maxAttempts: 3)) { rig in
            let submission = try await rig.submit(1, key: "doomed")
            try await rig.drained()

            let record = try #require(try await rig.engine.record(id: submission.record.id))
            #expect(record.state == .dead)
            #expect(record.attempts == 3)
            #expect(record.failedProviders == ["alpha", "beta"])
            #expect(record.lastErrorCode == "unavailable")
            // Attempt 1 on the winner, 2 failed over to beta at once, 3 back on the winner after a back-off.
            #expect(record.lastError == "unavailable: adapter:journal:alpha record returned UNAVAILABLE: recorder alpha: fail_file is present")
            #expect(record.deliveredBy == nil && record.nextAttemptAt == nil)
            #expect(try alpha.lines().isEmpty && beta.lines().isEmpty)
            #expect(rig.counter("retried") == 2 && rig.counter("dead") == 1 && rig.counter("delivered") == 0)
            #expect(try await rig.engine.list(state: .dead).map(\.id) == [record.id])
            #expect(rig.depthGauge() == 0)
        }
    }

    @Test func aProviderThatRecoversGetsTheDeliveryOnALaterAttempt() async throws {
        let directory = try TemporaryFolder("state-test")
        defer { directory.remove() }
        let alpha = Recorder(provider: "alpha", in: directory)
        try alpha.failCalls()
        try await DurableRig.with([alpha], in: directory, settings: DurableRig.settings(maxAttempts: 50)) { rig in
            let submission = try await rig.submit(1, key: "patient")
            try await eventually("a second attempt", timeout: .seconds(20)) { (try await rig.engine.record(id: submission.record.id))?.attempts ?? 0 >= 2 }
            let waiting = try #require(try await rig.engine.record(id: submission.record.id))
            #expect(waiting.state == .pending || waiting.state == .inFlight)
            alpha.recover()
            try await rig.drained()
            let record = try #require(try await rig.engine.record(id: submission.record.id))
            #expect(record.state == .delivered && record.attempts >= 3 && record.deliveredBy == "adapter:journal:alpha")
            #expect(try alpha.lines() == [Recorder.Line(key: "patient", payload: #"{"n":1}"#)])
        }
    }

    @Test func aNonRetryableErrorDeadLettersAtOnce() async throws {
        let directory = try TemporaryFolder("state-test")
        defer { directory.remove() }
        let alpha = Recorder(provider: "alpha", in: directory)
        try await DurableRig.with([alpha], in: directory) { rig in
            let submission = try await rig.submit(1, key: "wrong-method", method: "erase")
            try await rig.drained()
            let record = try #require(try await rig.engine.record(id: submission.record.id))
            #expect(record.state == .dead && record.attempts == 1 && record.lastErrorCode == "unknown_method")
            #expect(record.lastError == "unknown_method: adapter:journal:alpha has no method 'erase' (it has: record)")
            #expect(rig.counter("dead") == 1 && rig.counter("retried") == 0)
        }
    }

    @Test func aProviderTargetIsDeliveredByThatProviderOnly() async throws {
        let directory = try TemporaryFolder("state-test")
        defer { directory.remove() }
        let alpha = Recorder(provider: "alpha", priority: 10, in: directory)
        let beta = Recorder(provider: "beta", priority: 0, in: directory)
        try await DurableRig.with([alpha, beta], in: directory) { rig in
            try await rig.submit(1, key: "to-beta", target: .provider(beta.id))
            try await rig.drained()
            #expect(try alpha.lines().isEmpty)
            #expect(try beta.lines() == [Recorder.Line(key: "to-beta", payload: #"{"n":1}"#)])
            #expect(try await rig.engine.list().first?.target == "adapter:journal:beta")
        }
    }

    @Test func badRequestsAreRefusedBeforeTheJournalAndAStoppedEngineTakesNothing() async throws {
        let directory = try TemporaryFolder("state-test")
        defer { directory.remove() }
        let alpha = Recorder(provider: "alpha", in: directory)
        try await DurableRig.with([alpha], in: directory) { rig async throws in
            await #expect {
                try await rig.submit(1, key: "k", method: "Not A Method")
            } throws: { error in
                (error as? DeliveryError) == DeliveryError(code: .invalidArgument,
                    message: "method 'Not A Method' is not a method name (expected ^[a-z0-9][a-z0-9_.-]*$, at most 64 bytes)")
            }
            await #expect {
                try await rig.submit(1, key: String(repeating: "k", count: 257))
            } throws: { error in
                (error as? DeliveryError) == DeliveryError(code: .invalidArgument, message: "idempotency key is 257 bytes; expected 1...256")
            }
            await #expect {
                try await rig.submit(1, key: "")
            } throws: { error in
                (error as? DeliveryError)?.code == .invalidArgument
            }
            await rig.engine.stop()
            await #expect {
                try await rig.submit(1, key: "late")
            } throws: { error in
                (error as? DeliveryError) == DeliveryError(code: .unavailable,
                    message: "durable delivery is stopping; adapter:journal record was not journaled")
            }
            #expect(try await rig.journal.list().isEmpty)
        }
    }
}
