import Foundation
import PluginKit

extension MailMessage {
    /// Decodes and checks a `send` payload. Every failure is ``PluginError/invalidArgument(_:)``
    /// naming the JSON path, what was expected and what was found; the limits of ``MailLimits``
    /// are checked here, so nothing oversized is ever sent or written.
    public static func decode(_ payload: [UInt8], defaultFrom: String? = nil) throws(PluginError) -> MailMessage {
        let object: [String: Any]
        do {
            guard let parsed = try JSONSerialization.jsonObject(with: Data(payload)) as? [String: Any] else {
                throw PluginError.invalidArgument("payload: expected a JSON object")
            }
            object = parsed
        } catch let error as PluginError {
            throw error
        } catch {
            throw PluginError.invalidArgument("payload is not valid JSON: \(error.localizedDescription)")
        }
        let reader = PayloadReader(object)
        try reader.rejectUnknownKeys(known: knownKeys)

        guard let from = try reader.string("from") ?? defaultFrom, !from.isEmpty else {
            throw PluginError.invalidArgument("/from: required (or set `from` in the notifier's config)")
        }
        let message = MailMessage(
            from: try MailAddress.checked(from, at: "/from"),
            to: try reader.recipients("to"), cc: try reader.recipients("cc"), bcc: try reader.recipients("bcc"),
            subject: try reader.string("subject") ?? "", text: try reader.string("text"), html: try reader.string("html"),
            tags: try reader.strings("tags"), variables: try reader.variables(), headers: try reader.headers(),
            attachments: try reader.attachments("attachments"), inline: try reader.attachments("inline"),
            options: try reader.options(), testMode: try reader.bool("test_mode"))
        guard !message.to.isEmpty else { throw PluginError.invalidArgument("/to: expected at least one recipient, found none") }
        guard reader.has("subject") else { throw PluginError.invalidArgument("/subject: required") }
        try MailHeaderText.checkSingleLine(message.subject, at: "/subject")
        guard message.text != nil || message.html != nil else {
            throw PluginError.invalidArgument("payload: expected `text` or `html` (or both), found neither")
        }
        try message.checkLimits()
        return message
    }

    static let knownKeys: Set<String> = [
        "from", "to", "cc", "bcc", "subject", "text", "html", "tags", "variables", "headers",
        "attachments", "inline", "options", "test_mode",
    ]

    /// ``MailLimits``: recipients, option/header/variable bytes, and the whole message.
    func checkLimits() throws(PluginError) {
        guard recipientCount <= MailLimits.maxRecipients else {
            throw PluginError.invalidArgument(
                "recipients: to + cc + bcc is \(recipientCount); Mailgun accepts at most \(MailLimits.maxRecipients) per message")
        }
        let optionBytes = tags.reduce(0) { $0 + $1.utf8.count }
            + variables.reduce(0) { $0 + $1.value.utf8.count }
            + headers.reduce(0) { $0 + $1.value.utf8.count }
            + options.fields.reduce(0) { $0 + $1.value.utf8.count }
        guard optionBytes <= MailLimits.maxOptionBytes else {
            throw PluginError.invalidArgument(
                "tags, variables, headers and options together are \(optionBytes) bytes; the limit is \(MailLimits.maxOptionBytes) (16 KB)")
        }
        let messageBytes = (text?.utf8.count ?? 0) + (html?.utf8.count ?? 0) + subject.utf8.count
            + (attachments + inline).reduce(0) { $0 + $1.content.count } + optionBytes
            + (to + cc + bcc + [from]).reduce(0) { $0 + $1.utf8.count }
        guard messageBytes <= MailLimits.maxMessageBytes else {
            throw PluginError.invalidArgument(
                "the message is \(messageBytes) bytes (bodies, attachments, headers); the limit is \(MailLimits.maxMessageBytes) (25 MB)")
        }
    }

    /// The JSON Schema (draft 2020-12) of `send`'s payload, the same for every
    /// `adapter:notifier:*` provider so a caller can swap providers without changing a byte.
    public static let inputSchema = #"""
    {
      "$schema": "https://json-schema.org/draft/2020-12/schema",
      "title": "notifier send",
      "type": "object",
      "additionalProperties": false,
      "required": ["to", "subject"],
      "anyOf": [{"required": ["text"]}, {"required": ["html"]}],
      "$defs": {
        "addresses": {
          "oneOf": [
            {"type": "string", "minLength": 1},
            {"type": "array", "items": {"type": "string", "minLength": 1}}
          ]
        },
        "file": {
          "type": "object",
          "additionalProperties": false,
          "required": ["filename", "content_base64"],
          "properties": {
            "filename": {"type": "string", "minLength": 1},
            "content_type": {"type": "string", "default": "application/octet-stream"},
            "content_base64": {"type": "string"}
          }
        }
      },
      "properties": {
        "from": {"type": "string", "description": "sender; optional when the provider's config has a default"},
        "to": {"$ref": "#/$defs/addresses"},
        "cc": {"$ref": "#/$defs/addresses"},
        "bcc": {"$ref": "#/$defs/addresses"},
        "subject": {"type": "string"},
        "text": {"type": "string"},
        "html": {"type": "string"},
        "tags": {"type": "array", "items": {"type": "string"}},
        "variables": {"type": "object", "description": "custom variables; non-string values are sent JSON-encoded"},
        "headers": {"type": "object", "additionalProperties": {"type": "string"}},
        "attachments": {"type": "array", "items": {"$ref": "#/$defs/file"}},
        "inline": {"type": "array", "items": {"$ref": "#/$defs/file"}},
        "options": {
          "type": "object",
          "additionalProperties": false,
          "properties": {
            "tracking": {"type": "boolean"},
            "tracking_clicks": {"oneOf": [{"type": "boolean"}, {"enum": ["yes", "no", "htmlonly"]}]},
            "tracking_opens": {"type": "boolean"},
            "deliverytime": {"type": "string", "description": "RFC 2822 date"},
            "require_tls": {"type": "boolean"}
          }
        },
        "test_mode": {"type": "boolean", "description": "accept but do not deliver; overrides the config"}
      }
    }
    """#

}
