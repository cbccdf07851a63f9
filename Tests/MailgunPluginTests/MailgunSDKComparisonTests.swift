import CapHostCore
import CapHostTestSupport
import Foundation
import Testing

/// The request the plugin sends, compared field by field with the one the official Mailgun
/// Python SDK (PyPI `mailgun` 1.10.0, `Tests/Peers/mailgun_sdk_send.py`) sends for the same
/// message to the same local Mailgun. Any difference not listed in ``expectedDifferences``
/// fails the test; the table goes to `.build/artifacts/mailgun/request-comparison.md`.
@Suite(.serialized) struct MailgunSDKComparisonTests {
    static let domain = "mg.example.com"
    static let apiKey = "key-sdk-comparison-31d7"

    /// Differences that are expected, and why.
    static let expectedDifferences: [String: String] = [
        "user agent": "each client names itself",
        "boundary": "random per request (RFC 7578 §4.1)",
        "body size": "follows from the boundary and part-header spelling",
        "content type (no files)": "the SDK (requests) sends application/x-www-form-urlencoded when there are no files; the plugin always sends multipart/form-data, which Mailgun documents and accepts",
    ]

    static var message: [String: Any] {
        [
            "from": "Caphost Reports <reports@mg.example.com>",
            "to": ["alice@example.com", "\"Doe, Bob\" <bob@example.com>"],
            "cc": ["carol@example.com"],
            "bcc": ["dave@example.com"],
            "subject": "Quarterly report — Ünïcödé ✓ & <tags>",
            "text": "Plain body\nwith two lines & symbols: % + = ?",
            "html": "<p>HTML <b>body</b> &amp; “quotes”</p>",
            "tags": ["reports", "q3"],
            "variables": ["user_id": 42, "plan": "pro", "meta": ["flags": [1, 2], "active": true, "name": "Zoë"]],
            "headers": ["X-Campaign": "q3-2026", "Reply-To": "support@example.com"],
            "attachments": [
                ["filename": "data.bin", "content_type": "application/octet-stream",
                 "content_base64": Data((0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 13 &+ 5) }).base64EncodedString()],
                ["filename": "rép\"ort.txt", "content_type": "text/plain",
                 "content_base64": Data("report body\r\n".utf8).base64EncodedString()],
            ],
            "options": ["tracking": true, "tracking_clicks": "htmlonly", "tracking_opens": false, "require_tls": true],
            "test_mode": true,
        ]
    }

    /// One row of the comparison table.
    struct Row {
        let aspect: String
        let plugin: String
        let sdk: String
        /// "same", "expected: why", or "DIFFERENT".
        let verdict: String
    }

    @Test func pluginRequestMatchesTheOfficialSDKFieldByField() async throws {
        var sections: [(title: String, rows: [Row])] = []
        try await MailgunPeer.withPeer(domain: Self.domain, apiKey: Self.apiKey) { peer in
            try await MailgunHost.with(config: MailgunHost.config(for: peer, apiKey: Self.apiKey)) { test in
                for (title, message) in [("With attachments", Self.message), ("Without attachments", Self.withoutFiles(Self.message))] {
                    try await peer.reset()
                    _ = try await test.send(message)
                    let input = try JSONSerialization.data(withJSONObject: [
                        "api_url": peer.baseURL, "api_key": Self.apiKey, "domain": Self.domain, "message": message,
                    ])
                    let run = try await PythonPeer.run("mailgun_sdk_send.py", [], stdin: String(decoding: input, as: UTF8.self),
                                                       timeout: .seconds(120))
                    #expect(run.status == 0, "mailgun_sdk_send.py failed: \(run.stderr)")
                    #expect(run.stdout.contains("\"status\": 200"), "SDK send: \(run.stdout) \(run.stderr)")
                    let requests = try await peer.messageRequests()
                    try #require(requests.count == 2, "expected the plugin's and the SDK's request: \(requests)")
                    let rows = Self.compare(plugin: requests[0], sdk: requests[1], hasFiles: title == "With attachments")
                    sections.append((title, rows))
                }
            }
        }
        let unexplained = sections.flatMap { section in section.rows.filter { $0.verdict == "DIFFERENT" }.map { "\(section.title): \($0.aspect)" } }
        #expect(unexplained.isEmpty, "unexplained differences from the official SDK: \(unexplained)")
        let compared = sections.flatMap(\.rows).filter { $0.verdict == "same" }.count
        #expect(compared >= 30, "too few aspects compared: \(compared)")
        try Self.writeArtifact(sections)
    }

    static func withoutFiles(_ message: [String: Any]) -> [String: Any] {
        var copy = message
        copy.removeValue(forKey: "attachments")
        return copy
    }

    static func compare(plugin: MailgunPeer.Request, sdk: MailgunPeer.Request, hasFiles: Bool) -> [Row] {
        var rows: [Row] = []
        func row(_ aspect: String, _ mine: String, _ theirs: String, expected: String? = nil) {
            let verdict = mine == theirs ? "same" : expected.map { "expected: \($0)" } ?? "DIFFERENT"
            rows.append(Row(aspect: aspect, plugin: mine, sdk: theirs, verdict: verdict))
        }
        row("method", plugin.method, sdk.method)
        row("path", plugin.path, sdk.path)
        row("auth user", plugin.authUser ?? "(none)", sdk.authUser ?? "(none)")
        row("auth key accepted", "\(plugin.authOK)", "\(sdk.authOK)")
        row("answer", plugin.status.map(String.init) ?? "-", sdk.status.map(String.init) ?? "-")
        row(hasFiles ? "content type" : "content type (no files)", plugin.mediaType, sdk.mediaType,
            expected: hasFiles ? nil : expectedDifferences["content type (no files)"])
        row("boundary", boundary(plugin.contentType), boundary(sdk.contentType),
            expected: hasFiles ? expectedDifferences["boundary"] : "a urlencoded body has none")
        row("body size", "\(plugin.bodySize)", "\(sdk.bodySize)",
            expected: hasFiles ? expectedDifferences["body size"] : "multipart part headers vs urlencoded pairs")
        row("user agent", plugin.userAgent, sdk.userAgent, expected: expectedDifferences["user agent"])
        row("field order", plugin.fields.map(\.name).joined(separator: " "), sdk.fields.map(\.name).joined(separator: " "),
            expected: "Mailgun does not depend on field order; the multisets below are what must match")
        let names = Array(Set(plugin.fields.map(\.name) + sdk.fields.map(\.name))).sorted()
        for name in names {
            // A multiset per name: the same values, the same number of times.
            row("field `\(name)`", plugin.values(name).sorted().map(show).joined(separator: ", "),
                sdk.values(name).sorted().map(show).joined(separator: ", "))
        }
        let fileKeys = Array(Set(plugin.files.map(fileKey) + sdk.files.map(fileKey))).sorted()
        for key in fileKeys {
            let mine = plugin.files.filter { fileKey($0) == key }
            let theirs = sdk.files.filter { fileKey($0) == key }
            row("file part `\(key)`", mine.map(describe).joined(separator: "; "), theirs.map(describe).joined(separator: "; "))
        }
        row("file part count", "\(plugin.files.count)", "\(sdk.files.count)")
        return rows
    }

    static func boundary(_ contentType: String) -> String {
        contentType.range(of: "boundary=").map { String(contentType[$0.upperBound...]) } ?? "(none)"
    }

    static func fileKey(_ file: MailgunPeer.FilePart) -> String { "\(file.name) \(file.filename)" }

    static func describe(_ file: MailgunPeer.FilePart) -> String {
        "\(file.contentType), \(file.size) B, sha256 \(file.sha256.prefix(16))…"
    }

    static func show(_ value: String) -> String {
        let flat = value.replacingOccurrences(of: "\n", with: "⏎").replacingOccurrences(of: "|", with: "\\|")
        return "`" + (flat.count > 60 ? String(flat.prefix(57)) + "…" : flat) + "`"
    }

    static func writeArtifact(_ sections: [(title: String, rows: [Row])]) throws {
        let directory = FixturePlugins.repositoryRoot + "/.build/artifacts/mailgun"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        var text = """
            # Mailgun request: caphost plugin vs the official Python SDK

            The same message sent by `adapter:notifier:mailgun` (through a real caphost host) and by
            the official `mailgun` SDK 1.10.0 (`Tests/Peers/mailgun_sdk_send.py`) to the same local
            Mailgun (`Tests/Peers/mailgun_server.py`), which recorded both requests. Fields are
            compared as multisets per name, file parts by name, filename, content type, size and
            SHA-256. Produced by `MailgunSDKComparisonTests`.

            """
        for section in sections {
            text += "\n## \(section.title)\n\n| aspect | plugin | SDK | verdict |\n|---|---|---|---|\n"
            for row in section.rows {
                text += "| \(row.aspect) | \(cell(row.plugin)) | \(cell(row.sdk)) | \(row.verdict) |\n"
            }
        }
        let same = sections.flatMap(\.rows).filter { $0.verdict == "same" }.count
        let expected = sections.flatMap(\.rows).filter { $0.verdict.hasPrefix("expected") }.count
        let different = sections.flatMap(\.rows).filter { $0.verdict == "DIFFERENT" }.count
        text += "\n**\(same) aspects identical, \(expected) expected differences, \(different) unexplained.**\n"
        try text.write(toFile: directory + "/request-comparison.md", atomically: true, encoding: .utf8)
    }

    private static func cell(_ text: String) -> String {
        let escaped = text.replacingOccurrences(of: "\n", with: " ")
        return escaped.isEmpty ? "(absent)" : escaped
    }
}
