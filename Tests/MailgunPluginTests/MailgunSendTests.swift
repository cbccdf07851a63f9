import CapHostCore
import CapHostTestSupport
import Crypto
import Foundation
import Testing

/// `send` through a real host into the local Mailgun: every payload field lands as the form
/// field Mailgun documents, in a well-formed multipart body, with Basic auth `api:KEY`.
@Suite(.serialized) struct MailgunSendTests {
    static let domain = "mg.example.com"
    static let apiKey = "key-0123456789abcdef-send-tests"

    /// 3 KB of every byte value: binary content must arrive bit for bit.
    static let binary: [UInt8] = (0..<3072).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ 3) }

    static func sha256(_ bytes: [UInt8]) -> String {
        SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
    }

    @Test func everyFieldArrivesAsMailgunDocumentsIt() async throws {
        try await MailgunPeer.withPeer(domain: Self.domain, apiKey: Self.apiKey) { peer in
            try await MailgunHost.with(config: MailgunHost.config(for: peer, apiKey: Self.apiKey)) { test in
                let message: [String: Any] = [
                    "from": "Caphost <noreply@mg.example.com>",
                    "to": ["alice@example.com", "\"Doe, Bob\" <bob@example.com>"],
                    "cc": "carol@example.com",
                    "bcc": ["dave@example.com"],
                    "subject": "Quarterly report — Ünïcödé ✓",
                    "text": "plain body\nsecond line",
                    "html": "<p>html <b>body</b> &amp; more</p>",
                    "tags": ["reports", "q3"],
                    "variables": ["user_id": 42, "plan": "pro", "meta": ["flags": [1, 2], "active": true]],
                    "headers": ["X-Campaign": "q3-2026", "Reply-To": "support@example.com"],
                    "attachments": [
                        ["filename": "data.bin", "content_type": "application/octet-stream",
                         "content_base64": Data(Self.binary).base64EncodedString()],
                        ["filename": "rép\"ort.txt", "content_type": "text/plain; charset=utf-8",
                         "content_base64": Data("a text file\r\n".utf8).base64EncodedString()],
                    ],
                    "inline": [["filename": "logo.png", "content_type": "image/png",
                                "content_base64": Data([0x89, 0x50, 0x4E, 0x47]).base64EncodedString()]],
                    "options": ["tracking": true, "tracking_clicks": "htmlonly", "tracking_opens": false,
                                "deliverytime": "Sun, 22 Nov 2026 10:00:00 +0000", "require_tls": true],
                    "test_mode": true,
                ]
                let response = try await test.send(message)
                #expect(response["message"] as? String == "Queued. Thank you.")
                #expect((response["id"] as? String)?.hasSuffix("@\(Self.domain)>") == true, "\(response)")
                #expect(response["attempts"] as? Int == 1)

                let requests = try await peer.requests()
                // The load's health checks (probe and host) read the domains API; one message.
                let messages = requests.filter { $0.path == "/v3/\(Self.domain)/messages" }
                #expect(messages.count == 1)
                #expect(requests.filter { $0.path != "/v3/\(Self.domain)/messages" }
                    .allSatisfy { $0.method == "GET" && $0.path == "/v3/domains/\(Self.domain)" }, "\(requests)")
                let sent = try #require(messages.first)
                #expect(sent.method == "POST")
                #expect(sent.authUser == "api" && sent.authOK)
                #expect(sent.mediaType == "multipart/form-data")
                #expect(sent.error == nil)
                #expect(sent.status == 200)
                #expect(sent.values("from") == ["Caphost <noreply@mg.example.com>"])
                #expect(sent.values("to") == ["alice@example.com", "\"Doe, Bob\" <bob@example.com>"])
                #expect(sent.values("cc") == ["carol@example.com"])
                #expect(sent.values("bcc") == ["dave@example.com"])
                #expect(sent.values("subject") == ["Quarterly report — Ünïcödé ✓"])
                #expect(sent.values("text") == ["plain body\nsecond line"])
                #expect(sent.values("html") == ["<p>html <b>body</b> &amp; more</p>"])
                #expect(sent.values("o:tag") == ["reports", "q3"])
                #expect(sent.values("o:testmode") == ["yes"])
                #expect(sent.values("o:tracking") == ["yes"])
                #expect(sent.values("o:tracking-clicks") == ["htmlonly"])
                #expect(sent.values("o:tracking-opens") == ["no"])
                #expect(sent.values("o:deliverytime") == ["Sun, 22 Nov 2026 10:00:00 +0000"])
                #expect(sent.values("o:require-tls") == ["yes"])
                #expect(sent.values("h:X-Campaign") == ["q3-2026"])
                #expect(sent.values("h:Reply-To") == ["support@example.com"])
                #expect(sent.values("v:user_id") == ["42"])
                #expect(sent.values("v:plan") == ["pro"])
                #expect(sent.values("v:meta") == [#"{"active":true,"flags":[1,2]}"#])
                #expect(sent.fields.count == 21, "\(sent.fields.map(\.name))")

                #expect(sent.files.count == 3)
                let data = try #require(sent.files.first { $0.filename == "data.bin" })
                #expect(data.name == "attachment" && data.contentType == "application/octet-stream")
                #expect(data.sha256 == Self.sha256(Self.binary) && data.size == Self.binary.count)
                // `"` and the line break in the name are percent-encoded (HTML form encoding,
                // what urllib3 and browsers send); the UTF-8 stays as it is.
                let text = try #require(sent.files.first { $0.name == "attachment" && $0.filename != "data.bin" })
                #expect(text.filename == "rép%22ort.txt", "a quote in a filename is percent-encoded, as urllib3 and browsers do")
                #expect(text.contentType == "text/plain; charset=utf-8")
                #expect(text.sha256 == Self.sha256(Array("a text file\r\n".utf8)))
                let inline = try #require(sent.files.first { $0.name == "inline" })
                #expect(inline.filename == "logo.png" && inline.contentType == "image/png" && inline.size == 4)
            }
        }
    }

    @Test func configSuppliesTheSenderAndAPayloadMayTurnTestModeOnButNeverOff() async throws {
        try await MailgunPeer.withPeer(domain: Self.domain, apiKey: Self.apiKey) { peer in
            // The operator's test mode: no payload turns it off (`test_mode: false` used to).
            let config = MailgunHost.config(for: peer, apiKey: Self.apiKey,
                                            overrides: ["from": "Default <default@mg.example.com>", "test_mode": true])
            try await MailgunHost.with(config: config) { test in
                var message = basicMessage()
                message.removeValue(forKey: "from")
                _ = try await test.send(message)
                _ = try await test.send(basicMessage(["test_mode": false, "from": "own@mg.example.com"]))
                let sent = try await peer.messageRequests()
                #expect(sent.count == 2)
                #expect(sent[0].values("from") == ["Default <default@mg.example.com>"])
                #expect(sent[0].values("o:testmode") == ["yes"])
                #expect(sent[1].values("from") == ["own@mg.example.com"])
                #expect(sent[1].values("o:testmode") == ["yes"], "a payload turned the operator's test mode off")
            }
            // Test mode off in the configuration: a payload may turn it on for its message.
            try await peer.reset()
            try await MailgunHost.with(config: MailgunHost.config(for: peer, apiKey: Self.apiKey)) { test in
                _ = try await test.send(basicMessage(["test_mode": true]))
                _ = try await test.send(basicMessage(["test_mode": false]))
                _ = try await test.send(basicMessage())
                let sent = try await peer.messageRequests()
                #expect(sent.map { $0.values("o:testmode") } == [["yes"], [], []])
            }
        }
    }

    @Test func theRegionPicksTheAPIHostAndAWrongRegionKeyIsRefusedWithAHint() async throws {
        // Two local Mailguns stand for the US and EU regions, each knowing only its own key,
        // as the real ones do; `region_base_urls` maps the regions onto them.
        let usKey = "key-us-region-0001"
        let euKey = "key-eu-region-0002"
        try await MailgunPeer.withPeer(domain: Self.domain, apiKey: usKey) { us in
            try await MailgunPeer.withPeer(domain: Self.domain, apiKey: euKey) { eu in
                let regions = ["us": us.baseURL, "eu": eu.baseURL]
                for (region, key, peer, other) in [("eu", euKey, eu, us), ("us", usKey, us, eu)] {
                    try await us.reset()
                    try await eu.reset()
                    let config: [String: Any] = ["domain": Self.domain, "api_key": key, "region": region,
                                                 "region_base_urls": regions, "timeout": 5]
                    try await MailgunHost.with(config: config) { test in
                        _ = try await test.send(basicMessage())
                        #expect(test.log.all.contains { $0.contains("region \(region), API \(peer.baseURL)") })
                    }
                    #expect(try await peer.messageRequests().count == 1, "region \(region)")
                    #expect(try await other.messageRequests().isEmpty, "region \(region)")
                }

                // The US key configured for the EU region: the EU API answers 401 and the load's
                // health check fails with what to check.
                let wrong = try await MailgunHost.start(config: ["domain": Self.domain, "api_key": usKey, "region": "eu",
                                                                 "region_base_urls": regions])
                let detail = wrong.report.error?.description ?? ""
                await wrong.stop()
                #expect(wrong.report.state != .loaded)
                #expect(detail.contains("PERMISSION"), "\(detail)")
                #expect(detail.contains("region 'eu'") && detail.contains("wrong region"), "\(detail)")
                #expect(!detail.contains(usKey))
            }
        }
    }

    @Test func badConfigurationFailsTheLoadWithTheFieldNamed() async throws {
        let cases: [([String: Any], String)] = [
            (["domain": Self.domain, "api_key": "k", "region": "ap"], "region must be \"us\" or \"eu\""),
            (["domain": Self.domain, "api_key": "k", "base_url": "http://mailgun.example.net"], "allowed only for a loopback host"),
            (["domain": Self.domain, "api_key": "k", "base_url": "http://127.example.com"], "allowed only for a loopback host"),
            // The host is parsed, not matched by its start: names that begin like a loopback
            // address, and a loopback address as user info, are other hosts.
            (["domain": Self.domain, "api_key": "k", "base_url": "http://127.0.0.1.nip.io"], "allowed only for a loopback host"),
            (["domain": Self.domain, "api_key": "k", "base_url": "http://localhost.example.com"], "allowed only for a loopback host"),
            (["domain": Self.domain, "api_key": "k", "base_url": "http://127.0.0.1@mailgun.example.net"], "allowed only for a loopback host"),
            (["domain": Self.domain, "api_key": "k", "region_base_urls": ["eu": "http://10.0.0.1"], "region": "eu"],
             "region_base_urls.eu \"http://10.0.0.1\" uses plain http"),
            (["domain": Self.domain, "api_key": "k", "base_url": "https://api.mailgun.net/v3"], "without a path"),
            (["domain": Self.domain, "api_key": "k", "max_attempts": 0], "max_attempts must be 1...10"),
            (["domain": Self.domain, "api_key": "k", "timeout": -1], "timeout must be"),
            (["domain": Self.domain, "api_key_env": "CAPHOST_TEST_UNSET_MAILGUN_KEY", "base_url": "http://127.0.0.1:9"],
             "no API key (environment variable CAPHOST_TEST_UNSET_MAILGUN_KEY is empty)"),
            (["api_key": "k", "base_url": "http://127.0.0.1:9"], "set 'domain'"),
        ]
        for (config, expected) in cases {
            let test = try await MailgunHost.start(config: config)
            let detail = test.report.error?.description ?? ""
            await test.stop()
            #expect(test.report.state != .loaded, "\(config)")
            #expect(detail.contains(expected), "\(config): \(detail)")
        }
    }

    @Test func theKeyIsReadFromTheNamedEnvironmentVariable() async throws {
        let variable = "CAPHOST_TEST_MAILGUN_KEY_\(UInt32.random(in: 0...UInt32.max))"
        setenv(variable, Self.apiKey, 1)
        defer { unsetenv(variable) }
        try await MailgunPeer.withPeer(domain: Self.domain, apiKey: Self.apiKey) { peer in
            var config = MailgunHost.config(for: peer, apiKey: "")
            config.removeValue(forKey: "api_key")
            config["api_key_env"] = variable
            try await MailgunHost.with(config: config) { test in
                _ = try await test.send(basicMessage())
                #expect(try await peer.messageRequests().first?.authOK == true)
                #expect(test.log.all.contains { $0.contains("API key from environment variable \(variable)") })
            }
        }
    }
}
