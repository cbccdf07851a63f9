import Foundation
import NotifierMessage
import PluginKit

/// A checked ``MailMessage`` as the form fields of `POST /v3/{domain}/messages` (REFERENCE §4),
/// in the order the official SDK sends them.
struct MailgunMessage: Sendable {
    /// The form, in the order the fields are sent.
    let form: MultipartFormData

    /// The form for a message ``MailMessage/decode(_:defaultFrom:)`` already checked; test
    /// mode is on when the configuration or the payload turns it on. Throws ``PluginError/invalidArgument(_:)`` when the
    /// form's `o:`/`h:`/`v:`/`t:` values exceed Mailgun's 16 KB.
    init(_ message: MailMessage, configuration: MailgunConfiguration) throws(PluginError) {
        var form = MultipartFormData()
        form.append("from", message.from)
        for address in message.to { form.append("to", address) }
        for address in message.cc { form.append("cc", address) }
        for address in message.bcc { form.append("bcc", address) }
        form.append("subject", message.subject)
        if let text = message.text { form.append("text", text) }
        if let html = message.html { form.append("html", html) }
        for tag in message.tags { form.append("o:tag", tag) }
        // The operator's test mode holds for every message: a payload may turn it on, never off.
        if configuration.testMode || message.testMode == true { form.append("o:testmode", "yes") }
        for option in message.options.fields { form.append(option.name, option.value) }
        for header in message.headers { form.append("h:\(header.name)", header.value) }
        for variable in message.variables { form.append("v:\(variable.name)", variable.value) }
        for file in message.attachments { form.appendFile("attachment", filename: file.filename, contentType: file.contentType, content: file.content) }
        for file in message.inline { form.appendFile("inline", filename: file.filename, contentType: file.contentType, content: file.content) }
        try Self.checkOptionBytes(form)
        self.form = form
    }

    /// All `o:`, `h:`, `v:` and `t:` values together stay within 16 KB.
    private static func checkOptionBytes(_ form: MultipartFormData) throws(PluginError) {
        var total = 0
        for case .field(let name, let value) in form.parts
        where name.hasPrefix("o:") || name.hasPrefix("h:") || name.hasPrefix("v:") || name.hasPrefix("t:") {
            total += value.utf8.count
        }
        guard total <= MailLimits.maxOptionBytes else {
            throw .invalidArgument("the tags, options, headers and variables (o:/h:/v:/t: values) total \(total) bytes; Mailgun accepts at most 16 KB (\(MailLimits.maxOptionBytes) bytes)")
        }
    }
}
