import CapHostCore
import CapHostTestSupport
import Crypto
import Foundation
import Testing

/// The outbox notifier loaded from its built `.so` into a real host; what it writes is read back
/// by Python's `email` package.
@Suite(.serialized) struct OutboxPluginTests {
    static let outbox = CapabilityReference.provider(CapabilityID(slot: SlotKey(domain: "adapter", category: "notifier"), provider: "outbox"))

    struct Receipt: Decodable {
        let id: String
        let path: String
        let bytes: Int
        let message: String
        let repeated: Bool
    }

    /// Runs `body` with a host whose outbox writes into `<root>/outbox` (`TestHost.with`).
    static func withHost(testMode: Bool = false, _ body: (TestHost, String) async throws -> Void) async throws {
        try await TestHost.with { test in
            let folder = test.root + "/outbox"
            try await ShippedPlugin.load("OutboxPlugin", into: test, as: "outbox",
                                         config: #"{"directory":"\#(folder)","hostname":"outbox.test","test_mode":\#(testMode)}"#)
            try await body(test, folder)
        }
    }

    static func send(_ test: TestHost, _ payload: [String: Any], key: String? = nil) async throws -> Receipt {
        let bytes = Array(try JSONSerialization.data(withJSONObject: payload))
        let response = try await test.host.invoker.invoke(outbox, method: "send", payload: bytes, idempotencyKey: key)
        return try JSONDecoder().decode(Receipt.self, from: Data(response.body))
    }

    static func files(in directory: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).filter { !$0.hasPrefix(".") }.sorted()
    }

    static func sha256(_ bytes: [UInt8]) -> String { SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined() }

    @Test func aFullMessageRoundTripsThroughPythonsEmailParser() async throws {
        try await Self.withHost { test, folder in
            var generator = SystemRandomNumberGenerator()
            let binary = (0..<10_000).map { _ in UInt8.random(in: 0...255, using: &generator) }
            let notes = Array("Ünïcode notes: naïve café — 日本語\nline two = equals\n".utf8)
            let image = Array([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + (0..<300).map { UInt8($0 % 251) })
            let longLine = String(repeating: "word ", count: 60) + "end"
            let text = "Hello Zoë,\n\nThe build failed = badly.  \n\(longLine)\nLast line with trailing space \nnon-ASCII: ☃ 𝄞"
            let html = #"<p>Hello <b>Zoë</b> &amp; team — <img src="cid:logo.png"></p>"#
            let subject = "Build #42 failed: «naïve» résumé — a subject long enough to need folding across several header lines ✓"
            let receipt = try await Self.send(test, [
                "from": "\"Ops, Alerts\" <ops@example.com>",
                "to": ["Zoë Ünïcode <zoe@example.com>", "plain@example.com"],
                "cc": "\"Doe, Jane\" <jane@example.com>, bob@example.org",
                "bcc": ["audit@example.net"],
                "subject": subject, "text": text, "html": html,
                "tags": ["ci", "build-failure"],
                "variables": ["build": 42, "branch": "main", "meta": ["ok": false]],
                "headers": ["X-Priority": "1", "Reply-To": "noreply@example.com"],
                "attachments": [
                    ["filename": "blob.bin", "content_type": "application/octet-stream", "content_base64": Data(binary).base64EncodedString()],
                    ["filename": "notes – ünï.txt", "content_type": "text/plain; charset=utf-8", "content_base64": Data(notes).base64EncodedString()],
                ],
                "inline": [["filename": "logo.png", "content_type": "image/png", "content_base64": Data(image).base64EncodedString()]],
                "options": ["tracking_clicks": "htmlonly", "require_tls": true],
            ])
            #expect(receipt.path.hasPrefix(folder + "/new/") && receipt.path.hasSuffix(".outbox.test.eml"))
            #expect(!receipt.repeated && receipt.message == "Written to the outbox")
            #expect(Self.files(in: folder + "/tmp").isEmpty, "nothing left in tmp/")
            #expect(Self.files(in: folder + "/new").count == 1)
            let mode = try FileManager.default.attributesOfItem(atPath: receipt.path)[.posixPermissions] as? Int
            #expect(mode == 0o600)

            // The raw file: CRLF only, every line within RFC 5322's 998 characters (78 for headers).
            let raw = try Data(contentsOf: URL(fileURLWithPath: receipt.path))
            #expect(raw.count == receipt.bytes)
            let rawText = String(decoding: raw, as: UTF8.self)
            #expect(!rawText.replacingOccurrences(of: "\r\n", with: "").contains("\n"), "bare LF in the file")
            let lines = rawText.components(separatedBy: "\r\n")
            #expect(lines.allSatisfy { $0.utf8.count <= 998 })
            #expect(raw.allSatisfy { $0 < 128 }, "the file is 7-bit: non-ASCII travels encoded")
            let headerLines = lines.prefix { !$0.isEmpty }
            #expect(headerLines.allSatisfy { $0.utf8.count <= 78 }, "\(headerLines.filter { $0.utf8.count > 78 })")

            let parsed = try #require(try await PythonMailReader.read([receipt.path]).first)
            #expect(parsed.defects.isEmpty, "\(parsed.defects)")
            #expect(parsed.subject == subject)
            #expect(parsed.from == [["Ops, Alerts", "ops@example.com"]])
            #expect(parsed.to == [["Zoë Ünïcode", "zoe@example.com"], ["", "plain@example.com"]])
            #expect(parsed.cc == [["Doe, Jane", "jane@example.com"], ["", "bob@example.org"]])
            #expect(parsed.bcc == [["", "audit@example.net"]])
            #expect(parsed.messageId == receipt.id)
            #expect(parsed.text == text, "quoted-printable keeps every character, the trailing space and the long line")
            #expect(parsed.html == html)
            #expect(parsed.contentType == "multipart/mixed")
            #expect(parsed.headers["X-Mailgun-Tag"] == ["ci", "build-failure"])
            #expect(parsed.headers["X-Mailgun-Variables"] == [#"{"branch":"main","build":"42","meta":"{\"ok\":false}"}"#])
            #expect(parsed.headers["X-Priority"] == ["1"] && parsed.headers["Reply-To"] == ["noreply@example.com"])
            #expect(parsed.headers["X-Mailgun-Track-Clicks"] == ["htmlonly"] && parsed.headers["X-Mailgun-Require-TLS"] == ["yes"])
            #expect(parsed.headers["X-Mailgun-Drop-Message"] == nil)
            #expect(parsed.parts == [
                .init(contentType: "image/png", disposition: "inline", filename: "logo.png", contentId: "<logo.png>",
                      sha256: Self.sha256(image), size: image.count),
                .init(contentType: "application/octet-stream", disposition: "attachment", filename: "blob.bin", contentId: nil,
                      sha256: Self.sha256(binary), size: binary.count),
                .init(contentType: "text/plain", disposition: "attachment", filename: "notes – ünï.txt", contentId: nil,
                      sha256: Self.sha256(notes), size: notes.count),
            ])
        }
    }

    @Test func aTextOnlyMessageIsOneQuotedPrintablePartAndTestModeIsRecorded() async throws {
        try await Self.withHost(testMode: true) { test, folder in
            let receipt = try await Self.send(test, ["from": "a@example.com", "to": "b@example.com", "subject": "plain", "text": "just text"])
            let parsed = try #require(try await PythonMailReader.read([receipt.path]).first)
            #expect(parsed.defects.isEmpty && parsed.contentType == "text/plain" && parsed.parts.isEmpty)
            #expect(parsed.text == "just text" && parsed.html == nil)
            #expect(parsed.headers["X-Mailgun-Drop-Message"] == ["yes"], "config test_mode")
            let live = try await Self.send(test, ["from": "a@example.com", "to": "b@example.com", "subject": "live", "html": "<i>x</i>", "test_mode": false])
            let parsedLive = try #require(try await PythonMailReader.read([live.path]).first)
            #expect(parsedLive.headers["X-Mailgun-Drop-Message"] == nil, "the payload overrides the config")
            #expect(parsedLive.contentType == "text/html")
            #expect(Self.files(in: folder + "/new").count == 2)
        }
    }

    @Test func aRepeatedIdempotencyKeyWritesOnceEvenAfterTheFileMovedToCur() async throws {
        try await Self.withHost { test, folder in
            let payload: [String: Any] = ["from": "a@example.com", "to": "b@example.com", "subject": "once", "text": "x"]
            let first = try await Self.send(test, payload, key: "delivery-7")
            let second = try await Self.send(test, payload, key: "delivery-7")
            #expect(!first.repeated && second.repeated)
            #expect(second.path == first.path && second.id == first.id && second.bytes == first.bytes)
            // A mail reader marks it seen: new/NAME → cur/NAME:2,S. Still a repeat.
            let name = (first.path as NSString).lastPathComponent
            try FileManager.default.moveItem(atPath: first.path, toPath: folder + "/cur/" + name + ":2,S")
            let third = try await Self.send(test, payload, key: "delivery-7")
            #expect(third.repeated && third.path == folder + "/cur/" + name + ":2,S")
            let other = try await Self.send(test, payload, key: "delivery-8")
            #expect(!other.repeated)
            #expect(Self.files(in: folder + "/new").count == 1 && Self.files(in: folder + "/cur").count == 1)
        }
    }

    @Test(arguments: [
        (#"{"from":"a@example.com","to":"b@example.com","subject":"x\r\nBcc: victim@example.com","text":"x"}"#,
         "/subject: expected one line of text, found a line break"),
        (#"{"from":"a@example.com","to":"b@example.com","subject":"x","text":"x","headers":{"X-Ok":"a\nInjected: yes"}}"#,
         "/headers/X-Ok: expected one line of text"),
        (#"{"from":"a@example.com","to":"b@example.com","subject":"x","text":"x","headers":{"Bcc":"c@example.com"}}"#,
         "/headers/Bcc: set by the notifier itself"),
        (#"{"from":"a@example.com","to":["b@example.com", 7],"subject":"x","text":"x"}"#,
         "/to/1: expected a string, found the number 7"),
        (#"{"from":"a@example.com","to":"not-an-address","subject":"x","text":"x"}"#,
         #"/to: expected an address like user@example.com, found "not-an-address""#),
        (#"{"from":"a@example.com","to":"b@example.com","subject":"x"}"#,
         "payload: expected `text` or `html` (or both), found neither"),
        (#"{"from":"a@example.com","to":"b@example.com","subject":"x","text":"x","attachments":[{"filename":"a.bin","content_base64":"%%%"}]}"#,
         "/attachments/0/content_base64: expected base64"),
        (#"{"from":"a@example.com","to":"b@example.com","subject":"x","text":"x","attachments":[{"filename":"../etc/passwd","content_base64":""}]}"#,
         "/attachments/0/filename: expected a file name without '/'"),
        (#"{"from":"a@example.com","to":"b@example.com","subject":"x","text":"x","colour":"red"}"#,
         "/colour: unknown field"),
        (#"{"from":"a@example.com","to":"b@example.com","subject":"x","text":"x","options":{"tracking_clicks":"maybe"}}"#,
         #"/options/tracking_clicks: expected true, false, "yes", "no" or "htmlonly", found the string "maybe""#),
    ])
    func badPayloadsAreRefusedWithThePathAndNothingIsWritten(payload: String, expected: String) async throws {
        try await Self.withHost { test, folder in
            do throws(InvocationError) {
                _ = try await test.host.invoker.invoke(Self.outbox, method: "send", payload: Array(payload.utf8))
                Issue.record("accepted \(payload)")
            } catch {
                #expect(error.code == .invalidArgument, "\(error)")
                #expect(error.message.contains(expected), "\(error.message)")
            }
            #expect(Self.files(in: folder + "/new").isEmpty && Self.files(in: folder + "/tmp").isEmpty)
        }
    }

    @Test func limitsAreCheckedBeforeWriting() async throws {
        try await Self.withHost { test, folder in
            let recipients = (0..<1_001).map { "r\($0)@example.com" }
            let tooMany: [String: Any] = ["from": "a@example.com", "to": recipients, "subject": "x", "text": "x"]
            await #expect(throws: InvocationError.self) { _ = try await Self.send(test, tooMany) }
            do { _ = try await Self.send(test, tooMany) } catch let error as InvocationError {
                #expect(error.message.contains("to + cc + bcc is 1001; Mailgun accepts at most 1000 per message"))
            }
            let bigVariables: [String: Any] = ["from": "a@example.com", "to": "b@example.com", "subject": "x", "text": "x",
                                               "variables": ["blob": String(repeating: "v", count: 17_000)]]
            do { _ = try await Self.send(test, bigVariables); Issue.record("accepted 17 KB of variables") } catch let error as InvocationError {
                #expect(error.message.contains("together are 17000 bytes; the limit is 16384 (16 KB)"))
            }
            #expect(Self.files(in: folder + "/new").isEmpty)
        }
    }

    @Test func healthFailsWhenTheFolderCannotTakeAFile() async throws {
        try await Self.withHost { test, folder in
            let outboxID = CapabilityID(slot: SlotKey(domain: "adapter", category: "notifier"), provider: "outbox")
            let healthy = await test.host.checkAdapterHealth(id: outboxID.description)
            #expect(healthy?.healthy == true, "\(String(describing: healthy))")
            // Even root cannot create a file under a path whose tmp/ is a regular file.
            try FileManager.default.removeItem(atPath: folder + "/tmp")
            try "not a folder".write(toFile: folder + "/tmp", atomically: true, encoding: .utf8)
            let broken = await test.host.checkAdapterHealth(id: outboxID.description)
            #expect(broken?.healthy == false)
            #expect(broken?.message.contains("outbox: cannot write a probe file in \(folder)/tmp: Not a directory") == true, "\(String(describing: broken))")
        }
    }
}
