import Foundation
import NotifierMessage

/// A ``MailMessage`` rendered as an RFC 5322 message with MIME parts: the bytes of one `.eml`.
///
/// Structure: the body is `text/plain`, `text/html`, or `multipart/alternative` with both; inline
/// files wrap it in `multipart/related`; attachments wrap that in `multipart/mixed`. Bodies are
/// quoted-printable UTF-8, files base64. Mailgun's options travel as its documented SMTP headers
/// (`X-Mailgun-Tag`, `X-Mailgun-Variables`, …) so the file can be relayed with the same meaning.
/// Bcc is kept as a header: the outbox is the sender's record, and a relay strips it.
struct EMLDocument {
    let message: MailMessage
    let messageID: String
    let date: Date
    /// Test mode as resolved from the payload and the config: recorded as `X-Mailgun-Drop-Message`.
    let testMode: Bool
    let idempotencyKey: String?

    /// The message, CRLF line endings throughout.
    func rendered() -> [UInt8] {
        var boundaries = BoundarySource(seed: messageID)
        var head = ""
        head += MIMEEncoding.field("Date", Self.dateText(date))
        head += MIMEEncoding.field("From", MIMEEncoding.address(message.from))
        head += addressField("To", message.to)
        head += addressField("Cc", message.cc)
        head += addressField("Bcc", message.bcc)
        head += MIMEEncoding.field("Subject", MIMEEncoding.headerText(message.subject))
        head += MIMEEncoding.field("Message-ID", "<\(messageID)>")
        for header in message.headers { head += MIMEEncoding.field(header.name, MIMEEncoding.headerText(header.value)) }
        for tag in message.tags { head += MIMEEncoding.field("X-Mailgun-Tag", MIMEEncoding.headerText(tag)) }
        if !message.variables.isEmpty { head += MIMEEncoding.field("X-Mailgun-Variables", MIMEEncoding.headerText(variablesJSON())) }
        let options = message.options
        let optionHeaders: [(String, String?)] = [
            ("X-Mailgun-Track", options.tracking), ("X-Mailgun-Track-Clicks", options.trackingClicks),
            ("X-Mailgun-Track-Opens", options.trackingOpens), ("X-Mailgun-Deliver-By", options.deliveryTime),
            ("X-Mailgun-Require-TLS", options.requireTLS), ("X-Mailgun-Drop-Message", testMode ? "yes" : nil),
            ("X-Caphost-Idempotency-Key", idempotencyKey.map(MIMEEncoding.headerText)),
        ]
        for case let (name, value?) in optionHeaders { head += MIMEEncoding.field(name, value) }
        head += MIMEEncoding.field("MIME-Version", "1.0")

        var body = bodyPart(&boundaries)
        if !message.inline.isEmpty {
            body = multipart("related", [body] + message.inline.map { filePart($0, disposition: "inline") }, &boundaries)
        }
        if !message.attachments.isEmpty {
            body = multipart("mixed", [body] + message.attachments.map { filePart($0, disposition: "attachment") }, &boundaries)
        }
        return Array((head + body.headers + MIMEEncoding.crlf + body.content).utf8)
    }

    /// One MIME entity: its own header lines and its content.
    struct Part {
        var headers: String
        var content: String
    }

    private func bodyPart(_ boundaries: inout BoundarySource) -> Part {
        let parts = [message.text.map { textPart($0, subtype: "plain") }, message.html.map { textPart($0, subtype: "html") }]
            .compactMap { $0 }
        return parts.count == 1 ? parts[0] : multipart("alternative", parts, &boundaries)
    }

    private func textPart(_ text: String, subtype: String) -> Part {
        Part(headers: MIMEEncoding.field("Content-Type", "text/\(subtype); charset=\"utf-8\"")
                + MIMEEncoding.field("Content-Transfer-Encoding", "quoted-printable"),
             content: MIMEEncoding.quotedPrintable(text))
    }

    private func filePart(_ file: MailAttachment, disposition: String) -> Part {
        var headers = MIMEEncoding.field("Content-Type", "\(file.contentType); \(MIMEEncoding.parameter("name", file.filename))")
        headers += MIMEEncoding.field("Content-Transfer-Encoding", "base64")
        headers += MIMEEncoding.field("Content-Disposition", "\(disposition); \(MIMEEncoding.parameter("filename", file.filename))")
        if disposition == "inline" { headers += MIMEEncoding.field("Content-ID", "<\(file.filename)>") }
        return Part(headers: headers, content: MIMEEncoding.base64Lines(file.content))
    }

    /// A multipart entity. The boundary starts with `=_`, which neither quoted-printable nor base64
    /// content can contain, so it never collides with a part. The CRLF before each delimiter
    /// belongs to the delimiter (RFC 2046 §5.1.1), so a part's content ends exactly where it did.
    private func multipart(_ subtype: String, _ parts: [Part], _ boundaries: inout BoundarySource) -> Part {
        let boundary = boundaries.next()
        var content = ""
        for part in parts {
            content += "--\(boundary)" + MIMEEncoding.crlf + part.headers + MIMEEncoding.crlf + part.content + MIMEEncoding.crlf
        }
        content += "--\(boundary)--"
        return Part(headers: MIMEEncoding.field("Content-Type", "multipart/\(subtype); boundary=\"\(boundary)\""), content: content)
    }

    private func addressField(_ name: String, _ addresses: [String]) -> String {
        guard !addresses.isEmpty else { return "" }
        return MIMEEncoding.field(name, addresses.map(MIMEEncoding.address).joined(separator: ", "))
    }

    private func variablesJSON() -> String {
        let object = Dictionary(uniqueKeysWithValues: message.variables.map { ($0.name, $0.value) })
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }

    /// RFC 5322 date-time: `Sun, 22 Nov 2026 08:05:59 +0000`.
    static func dateText(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss Z"
        return formatter.string(from: date)
    }

    /// Boundaries derived from the message id and a counter: unique within the message.
    struct BoundarySource {
        let seed: String
        var counter = 0

        init(seed: String) {
            var hash: UInt64 = 0xcbf2_9ce4_8422_2325
            for byte in seed.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
            self.seed = String(hash, radix: 16)
        }

        mutating func next() -> String {
            counter += 1
            return "=_caphost_\(seed)_\(counter)"
        }
    }
}
