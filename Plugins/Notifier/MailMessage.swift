import PluginKit

/// One e-mail as a notifier's `send` receives it: the payload shared by `adapter:notifier:mailgun`
/// and `adapter:notifier:outbox`, decoded and checked by ``MailMessage/decode(_:defaultFrom:)``.
///
/// Map-like fields (variables, headers) are kept sorted by name so that every rendering of a
/// message (a Mailgun request, an `.eml` file) is deterministic.
public struct MailMessage: Sendable, Hashable {
    public var from: String
    public var to: [String]
    public var cc: [String]
    public var bcc: [String]
    public var subject: String
    public var text: String?
    public var html: String?
    /// Mailgun `o:tag` values.
    public var tags: [String]
    /// Custom variables (`v:NAME`); values are text, JSON-encoded when the payload gave another type.
    public var variables: [MailField]
    /// Custom headers (`h:Name`).
    public var headers: [MailField]
    public var attachments: [MailAttachment]
    /// Inline parts, referenced from the HTML as `cid:FILENAME`.
    public var inline: [MailAttachment]
    /// Delivery options (tracking, delivery time, TLS); outbox records them as headers.
    public var options: MailOptions
    /// Overrides the notifier's configured test mode when present.
    public var testMode: Bool?

    /// Every recipient: to, cc and bcc.
    public var recipientCount: Int { to.count + cc.count + bcc.count }
}

/// A name and a text value: a custom variable or header.
public struct MailField: Sendable, Hashable {
    public var name: String
    public var value: String

    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}

/// A file part: its name, media type and bytes (base64 in the payload).
public struct MailAttachment: Sendable, Hashable {
    public var filename: String
    public var contentType: String
    public var content: [UInt8]

    public init(filename: String, contentType: String, content: [UInt8]) {
        self.filename = filename
        self.contentType = contentType
        self.content = content
    }
}

/// Mailgun's `o:` options, as text exactly as they will be sent.
public struct MailOptions: Sendable, Hashable {
    /// `yes` / `no`.
    public var tracking: String?
    /// `yes`, `no` or `htmlonly`.
    public var trackingClicks: String?
    /// `yes` / `no`.
    public var trackingOpens: String?
    /// RFC 2822 date text, passed through.
    public var deliveryTime: String?
    /// `yes` / `no`.
    public var requireTLS: String?

    public init() {}

    /// The options set, as `(o:NAME, value)` pairs in a fixed order.
    public var fields: [MailField] {
        [("o:tracking", tracking), ("o:tracking-clicks", trackingClicks), ("o:tracking-opens", trackingOpens),
         ("o:deliverytime", deliveryTime), ("o:require-tls", requireTLS)]
            .compactMap { name, value in value.map { MailField(name: name, value: $0) } }
    }
}
