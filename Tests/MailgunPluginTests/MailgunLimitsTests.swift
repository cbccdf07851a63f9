import CapHostCore
import CapHostTestSupport
import Foundation
import Testing

/// Mailgun's limits and the payload's required fields are checked before anything is sent, and
/// the API key never shows in an error, a response, a log line or a host event.
@Suite(.serialized) struct MailgunLimitsTests {
    static let domain = "mg.example.com"
    static let apiKey = "key-limits-5b2e91d4a7"

    @Test func badPayloadsAreRefusedBeforeAnyRequest() async throws {
        try await MailgunPeer.withPeer(domain: Self.domain, apiKey: Self.apiKey) { peer in
            try await MailgunHost.with(config: MailgunHost.config(for: peer, apiKey: Self.apiKey)) { test in
                let recipients = (0..<1_001).map { "user\($0)@example.com" }
                let bigVariable = String(repeating: "x", count: 16 * 1_024)
                // 26 MB of attachment: over the 25 MB message limit.
                let big = Data(count: 26 * 1_024 * 1_024).base64EncodedString()
                var noFrom = basicMessage()
                noFrom.removeValue(forKey: "from")
                let cases: [([String: Any], String)] = [
                    (basicMessage(["to": recipients]), "recipients: to + cc + bcc is 1001; Mailgun accepts at most 1000 per message"),
                    (basicMessage(["to": Array(recipients[0..<600]), "cc": Array(recipients[600..<1_000]), "bcc": "x@example.com, y@example.com"]),
                     "to + cc + bcc is 1002"),
                    (basicMessage(["variables": ["big": bigVariable], "tags": ["t"]]), "together are 16385 bytes; the limit is 16384 (16 KB)"),
                    (basicMessage(["attachments": [["filename": "big.bin", "content_base64": big]]]), "the limit is 26214400 (25 MB)"),
                    (noFrom, "/from: required (or set `from` in the notifier's config)"),
                    (basicMessage(["to": [String]()]), "/to: expected at least one recipient, found none"),
                    (basicMessage(["subject": NSNull()]), "/subject: required"),
                    (basicMessage(["text": NSNull()]), "expected `text` or `html` (or both), found neither"),
                    (basicMessage(["headers": ["Bad Header": "x"]]), "/headers/Bad Header: expected a header name of printable ASCII without ':' or spaces"),
                    (basicMessage(["headers": ["X-Ok": "line\r\nInjected: yes"]]), "/headers/X-Ok: expected one line of text, found a line break"),
                    (basicMessage(["subject": "two\nlines"]), "/subject: expected one line of text, found a line break"),
                    (basicMessage(["attachments": [["filename": "a.bin", "content_base64": "not base64!"]]]),
                     "/attachments/0/content_base64: expected base64"),
                    (basicMessage(["attachments": [["filename": "a.bin", "content_type": "nonsense", "content_base64": "AAAA"]]]),
                     "/attachments/0/content_type: expected a media type like \"text/plain\", found \"nonsense\""),
                    (basicMessage(["attachment": [["filename": "a.bin", "content_base64": "AAAA"]]]), "/attachment: unknown field (expected one of attachments, bcc"),
                    (basicMessage(["options": ["tracking_clicks": "sometimes"]]), "htmlonly"),
                    (basicMessage(["to": 42]), "to"),
                ]
                for (payload, expected) in cases {
                    let error = try await test.sendFailing(payload)
                    #expect(error.code == .invalidArgument, "\(expected): \(error)")
                    #expect(error.message.contains(expected), "expected '\(expected)' in: \(error.message.prefix(400))")
                }
                #expect(try await peer.messageRequests().isEmpty, "a refused payload reached Mailgun")

                // Exactly at the limits is accepted.
                let atLimit = String(repeating: "y", count: 16 * 1_024)
                _ = try await test.send(basicMessage(["to": Array(recipients[0..<1_000]), "variables": ["v": atLimit]]))
                #expect(try await peer.messageRequests().count == 1)
            }
        }
    }

    @Test func theKeyAppearsInNoErrorResponseLogLineOrEvent() async throws {
        let secret = Self.apiKey
        let header = Data("api:\(secret)".utf8).base64EncodedString()
        var texts: [String] = []
        try await MailgunPeer.withPeer(domain: Self.domain, apiKey: secret) { peer in
            try await MailgunHost.with(config: MailgunHost.config(for: peer, apiKey: secret)) { test in
                texts.append(try JSONSerialization.data(withJSONObject: try await test.send(basicMessage())).base64EncodedString())
                texts.append(String(describing: try await test.send(basicMessage())))
                for status in [400, 401, 403, 404, 500, 429, 0] {
                    try await peer.setBehaviour(status: status, count: nil)
                    texts.append(String(describing: try await test.sendFailing(basicMessage())))
                }
                try await peer.setBehaviour(status: 401, count: nil, endpoint: .domains)
                let health = await test.host.checkAdapterHealth(id: MailgunHost.capability)
                #expect(health?.healthy == false)
                texts.append(String(describing: health))
                texts.append(contentsOf: test.log.all)
                texts.append(contentsOf: test.host.events.events().map { "\($0.kind) \($0.subject) \($0.reason)" })
            }
            // A wrong key: the load fails; its report must not carry either key.
            let wrong = try await MailgunHost.start(config: MailgunHost.config(for: peer, apiKey: "key-wrong-\(secret)"))
            await wrong.stop()
            #expect(wrong.report.state != .loaded)
            texts.append(String(describing: wrong.report))
            texts.append(contentsOf: wrong.log.all)
        }
        #expect(texts.count > 20)
        for text in texts {
            #expect(!text.contains(secret), "the API key leaked: \(text.prefix(300))")
            #expect(!text.contains(header), "the Basic auth header leaked: \(text.prefix(300))")
        }
    }
}
