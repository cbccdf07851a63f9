import CapHostCore
import CapHostState
import CapHostTestSupport
import Foundation
import Logging
import Testing

/// The notifier slot with both real plugins: Mailgun (priority 50) against the local Mailgun peer,
/// the outbox (priority 10) as the fallback. Durable sends go through the host's journal, so a
/// send that Mailgun refuses with a 500 is retried on the outbox: none is lost, none doubled.
@Suite(.serialized) struct NotifierFailoverTests {
    static let slot = SlotKey(domain: "adapter", category: "notifier")
    static let minSamples = 6
    static let ewmaAlpha = 0.1
    static let swapBelow = 0.7

    /// Failed calls after which the configured scoring demotes a provider that had only
    /// successes: the success EWMA (weight 0.5 of the score; latency and health stay 1 here)
    /// must fall until 0.5·(1-α)ⁿ + 0.5 < swap_below.
    static var failuresToDemote: Int {
        var n = 0
        while 0.5 * pow(1 - ewmaAlpha, Double(n)) + 0.5 >= swapBelow { n += 1 }
        return max(n, minSamples)
    }

    @Test func mailgunFailingWith500SwapsToTheOutboxAndBackWithoutLosingASend() async throws {
        let peer = try await MailgunPeer.start(domain: "mg.example.com", apiKey: "key-failover-test")
        defer { peer.stop() }
        try await TestHost.with({
            $0.invocation.breakerThreshold = 1000   // the score decides here, not the breaker
            $0.autoSwap.minSamples = Self.minSamples
            $0.autoSwap.swapBelow = Self.swapBelow
            $0.scoring.ewmaAlpha = Self.ewmaAlpha
            $0.autoSwap.minimumDwell = .zero
            $0.autoSwap.demotionCoolDown = .milliseconds(1500)
        }) { test in
            let folder = test.root + "/outbox"
            try await ShippedPlugin.load("MailgunPlugin", into: test, as: "mailgun", config: """
                {"domain":"mg.example.com","api_key":"key-failover-test","base_url":"\(peer.baseURL)",
                 "max_attempts":2,"backoff_initial":0.01,"backoff_max":0.02,"timeout":5}
                """)
            try await ShippedPlugin.load("OutboxPlugin", into: test, as: "outbox",
                                         config: #"{"directory":"\#(folder)","hostname":"outbox.test"}"#)
            await test.host.start()
            #expect(test.host.resolve(Self.slot)?.provider == "mailgun", "Mailgun wins on priority")

            let database = try StateDatabase(path: test.root + "/state.sqlite")
            var settings = DurableSettings()
            settings.workers = 1               // one send at a time: samples are counted exactly
            settings.maxAttempts = 6
            settings.initialBackoff = .milliseconds(10)
            settings.maxBackoff = .milliseconds(40)
            settings.attemptTimeout = .seconds(10)
            settings.stopTimeout = .seconds(2)
            var logger = Logger(label: "caphost.test.failover")
            logger.logLevel = .critical
            let engine = DurableDelivery(host: test.host, journal: DeliveryJournal(database: database), settings: settings, logger: logger)
            try await engine.start()

            func send(_ key: String) async throws {
                let payload: [String: Any] = ["from": "ops@example.com", "to": "dev@example.com", "subject": "send \(key)", "text": "body of \(key)"]
                _ = try await engine.submit(DeliveryRequest(target: .slot(Self.slot), method: "send",
                                                            payload: Array(try JSONSerialization.data(withJSONObject: payload)), idempotencyKey: key))
            }
            func drained() async throws {
                try await eventually("the journal to drain", timeout: .seconds(30)) { try await engine.journal.depth() == 0 }
            }

            // 1. Healthy: Mailgun takes everything.
            let before = (0..<10).map { "before-\($0)" }
            for key in before { try await send(key) }
            try await drained()
            #expect(test.host.resolve(Self.slot)?.provider == "mailgun")

            // 2. Mailgun answers 500 to every message and to the domain check.
            try await peer.setBehaviour(status: 500, endpoint: .messages)
            try await peer.setBehaviour(status: 500, endpoint: .domains)
            let during = (0..<20).map { "during-\($0)" }
            for key in during { try await send(key) }
            try await drained()
            #expect(test.host.resolve(Self.slot)?.provider == "outbox", "demoted to the outbox")
            let demotion = try #require(test.host.events.events(kinds: [.demoted]).first { $0.subject == "adapter:notifier:mailgun" })
            #expect(demotion.reason.contains("adapter:notifier:outbox"))
            let failedAtMailgun = try await peer.messageRequests().filter { $0.status == 500 }.count
            // Each failed call is max_attempts (2) requests. The score is re-evaluated every scoring
            // tick (20 ms here), so a call or two more may fail while the tick comes round.
            let failedCalls = failedAtMailgun / 2
            #expect(failedAtMailgun % 2 == 0, "every failed call made both of its attempts")
            #expect(failedCalls >= Self.failuresToDemote && failedCalls <= Self.failuresToDemote + 2,
                    "swapped after \(failedCalls) failed calls; the configured scoring demotes after \(Self.failuresToDemote)")

            // 3. Recovery: Mailgun answers again; after the cool-down its health check passes and it wins back.
            try await peer.setBehaviour(status: nil, endpoint: .messages)
            try await peer.setBehaviour(status: nil, endpoint: .domains)
            try await eventually("mailgun to win the slot back", timeout: .seconds(15)) { test.host.resolve(Self.slot)?.provider == "mailgun" }
            #expect(test.host.events.events(kinds: [.recovered]).contains { $0.subject == "adapter:notifier:mailgun" })
            let after = (0..<10).map { "after-\($0)" }
            for key in after { try await send(key) }
            try await drained()

            // Accounting: every send delivered exactly once, by Mailgun (a 200) or into the outbox.
            let accepted = try await peer.messageRequests().filter { $0.status == 200 }.flatMap { $0.values("subject") }
            let files = try FileManager.default.contentsOfDirectory(atPath: folder + "/new").map { folder + "/new/" + $0 }
            let written = try await PythonMailReader.read(files).compactMap(\.subject)
            let all = before + during + after
            #expect((accepted + written).sorted() == all.map { "send \($0)" }.sorted(), "no send lost, none doubled")
            #expect(Set(accepted).isSuperset(of: before.map { "send \($0)" }) && Set(accepted).isSuperset(of: after.map { "send \($0)" }))
            #expect(Set(written) == Set(during.map { "send \($0)" }), "every send of the outage is in the outbox")
            let delivered = try await engine.list(state: .delivered, limit: 1000)
            #expect(delivered.count == all.count)
            #expect(try await engine.list(state: .dead, limit: 1000).isEmpty)
            print("failover: \(failedCalls) failed calls (\(failedAtMailgun) requests answered 500) before the swap, configured bound \(Self.failuresToDemote); \(accepted.count) sent by Mailgun, \(written.count) written to the outbox")

            await engine.stop()
        }
    }
}
