import CapHostCore
import CapHostServer
import CapHostTestSupport
import Foundation
import Testing

/// The plugin's metrics, as the host's `/metrics` renders them (Prometheus text through the
/// process's one registry): requests by status, attempt durations, retries by reason.
@Suite(.serialized) struct MailgunMetricsTests {
    static let domain = "mg.example.com"
    static let apiKey = "key-metrics-a61c"

    /// The value of the first sample line of `name` whose labels contain every `labels` pair.
    static func sample(_ text: String, _ name: String, _ labels: [String] = []) -> Double {
        for line in text.split(separator: "\n") where line.hasPrefix(name + "{") || line.hasPrefix(name + " ") {
            guard labels.allSatisfy({ line.contains($0) }), let value = line.split(separator: " ").last.flatMap({ Double($0) }) else { continue }
            return value
        }
        return 0
    }

    @Test func requestsRetriesAndDurationsAreCounted() async throws {
        MetricsExport.bootstrap()
        try await MailgunPeer.withPeer(domain: Self.domain, apiKey: Self.apiKey) { peer in
            try await MailgunHost.with(config: MailgunHost.config(for: peer, apiKey: Self.apiKey)) { test in
                let collector = HostMetricsCollector(host: test.host)
                let before = String(decoding: collector.render(), as: UTF8.self)
                try await peer.setBehaviour(status: 500, count: 1)
                _ = try await test.send(basicMessage())
                try await peer.setBehaviour(status: 429, count: 1, retryAfter: "0")
                _ = try await test.send(basicMessage())
                let after = String(decoding: collector.render(), as: UTF8.self)
                func delta(_ name: String, _ labels: [String] = []) -> Double {
                    Self.sample(after, name, labels) - Self.sample(before, name, labels)
                }
                #expect(delta("mailgun_requests_total", [#"status="200""#, #"plugin="mailgun""#]) == 2, "\(after)")
                #expect(delta("mailgun_requests_total", [#"status="500""#]) == 1)
                #expect(delta("mailgun_requests_total", [#"status="429""#]) == 1)
                #expect(delta("mailgun_retries_total", [#"reason="server_error""#]) == 1)
                #expect(delta("mailgun_retries_total", [#"reason="rate_limited""#]) == 1)
                #expect(delta("mailgun_request_duration_seconds_count") == 4, "\(after.split(separator: "\n").filter { $0.contains("mailgun_request_duration") })")
            }
        }
    }
}
