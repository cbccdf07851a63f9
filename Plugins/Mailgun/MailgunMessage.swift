import Foundation
import PluginKit

/// A `send` payload checked against Mailgun's rules and turned into the form fields of
/// `POST /v3/{domain}/messages` (REFERENCE §4). Every check runs before anything is sent.
struct MailgunMessage: Sendable {
    /// The form, in the order the fields are sent.
    let form: MultipartFormData
    /// to + cc + bcc addresses.
    let recipientCount: Int

    /// Mailgun's limits (REFERENCE §4).
    enum Limits {
        static let recipients = 1_000
        static let optionBytes = 16 * 1_024
        static let messageBytes = 25 * 1_024 * 1_024
    }

    /// Checks `payload` and builds the form; `configuration` supplies the default sender and
    /// test mode. Throws ``PluginError/invalidArgument(_:)`` saying which field is wrong, what
    /// was expected and what was found.
    init(_ payload: SendPayload, configuration: MailgunConfiguration) throws(PluginError) {
        guard let from = payload.from ?? configuration.defaultFrom, !from.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw .invalidArgument("send: 'from' is required (the payload has none and the config sets no default 'from')")
        }
        let to = payload.to?.entries ?? []
        guard !to.isEmpty, to.contains(where: { !$0.trimmingCharacters(in: .whitespaces).isEmpty }) else {
            throw .invalidArgument("send: 'to' is required: a string or an array of at least one address")
        }
        guard let subject = payload.subject else {
            throw .invalidArgument("send: 'subject' is required")
        }
        guard payload.text != nil || payload.html != nil else {
            throw .invalidArgument("send: one of 'text' or 'html' is required")
        }
        let cc = payload.cc?.entries ?? []
        let bcc = payload.bcc?.entries ?? []
        try Self.checkSingleLine(from, field: "from")
        try Self.checkSingleLine(subject, field: "subject")
        for (field, list) in [("to", to), ("cc", cc), ("bcc", bcc)] {
            for (index, entry) in list.enumerated() { try Self.checkSingleLine(entry, field: "\(field)[\(index)]") }
        }
        recipientCount = [payload.to, payload.cc, payload.bcc].compactMap { $0?.recipientCount }.reduce(0, +)
        guard recipientCount <= Limits.recipients else {
            throw .invalidArgument("send: \(recipientCount) recipients in to+cc+bcc; Mailgun accepts at most \(Limits.recipients) per message")
        }

        var form = MultipartFormData()
        form.append("from", from)
        for address in to { form.append("to", address) }
        for address in cc { form.append("cc", address) }
        for address in bcc { form.append("bcc", address) }
        form.append("subject", subject)
        if let text = payload.text { form.append("text", text) }
        if let html = payload.html { form.append("html", html) }
        for (index, tag) in (payload.tags ?? []).enumerated() {
            try Self.checkSingleLine(tag, field: "tags[\(index)]")
            form.append("o:tag", tag)
        }
        if payload.testMode ?? configuration.testMode { form.append("o:testmode", "yes") }
        if let options = payload.options { try Self.appendOptions(options, to: &form) }
        for (name, value) in (payload.headers ?? [:]).sorted(by: { $0.key < $1.key }) {
            guard Self.isHeaderName(name) else {
                throw .invalidArgument("send: headers: '\(name)' is not a valid header name (letters, digits and !#$%&'*+-.^_`|~ only, not empty)")
            }
            try Self.checkSingleLine(value, field: "headers.\(name)")
            form.append("h:\(name)", value)
        }
        for (name, value) in (payload.variables ?? [:]).sorted(by: { $0.key < $1.key }) {
            guard !name.isEmpty, !name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
                throw .invalidArgument("send: variables: '\(name)' is not a valid variable name (not empty, no control characters)")
            }
            form.append("v:\(name)", value.variableText)
        }
        for (field, name, files) in [("attachments", "attachment", payload.attachments ?? []), ("inline", "inline", payload.inline ?? [])] {
            for (index, file) in files.enumerated() {
                let content = try Self.decodeBase64(file.contentBase64, field: "\(field)[\(index)].content_base64")
                guard !file.filename.isEmpty else {
                    throw .invalidArgument("send: \(field)[\(index)].filename must not be empty")
                }
                let contentType = file.contentType ?? "application/octet-stream"
                guard Self.isMediaType(contentType) else {
                    throw .invalidArgument("send: \(field)[\(index)].content_type must look like type/subtype (e.g. application/pdf), found \"\(contentType)\"")
                }
                form.appendFile(name, filename: file.filename, contentType: contentType, content: content)
            }
        }
        try Self.checkOptionBytes(form)
        let size = form.encodedSizeEstimate
        guard size <= Limits.messageBytes else {
            throw .invalidArgument("send: the message is about \(size) bytes with its attachments; Mailgun accepts at most 25 MB (\(Limits.messageBytes) bytes)")
        }
        self.form = form
    }

    private static func appendOptions(_ options: DeliveryOptions, to form: inout MultipartFormData) throws(PluginError) {
        if let tracking = options.tracking { form.append("o:tracking", tracking ? "yes" : "no") }
        if let clicks = options.trackingClicks { form.append("o:tracking-clicks", clicks.rawValue) }
        if let opens = options.trackingOpens { form.append("o:tracking-opens", opens ? "yes" : "no") }
        if let time = options.deliverytime {
            try checkSingleLine(time, field: "options.deliverytime")
            form.append("o:deliverytime", time)
        }
        if let requireTLS = options.requireTLS { form.append("o:require-tls", requireTLS ? "yes" : "no") }
    }

    /// All `o:`, `h:`, `v:` and `t:` values together stay within 16 KB.
    private static func checkOptionBytes(_ form: MultipartFormData) throws(PluginError) {
        var total = 0
        for case .field(let name, let value) in form.parts
        where name.hasPrefix("o:") || name.hasPrefix("h:") || name.hasPrefix("v:") || name.hasPrefix("t:") {
            total += value.utf8.count
        }
        guard total <= Limits.optionBytes else {
            throw .invalidArgument("send: the tags, options, headers and variables (o:/h:/v:/t: values) total \(total) bytes; Mailgun accepts at most 16 KB (\(Limits.optionBytes) bytes)")
        }
    }

    /// Base64 as JSON carries it; line breaks and spaces (MIME-style wrapping) are allowed.
    static func decodeBase64(_ text: String, field: String) throws(PluginError) -> [UInt8] {
        let compact = text.filter { !$0.isWhitespace }
        guard let data = Data(base64Encoded: compact) else {
            let sample = compact.prefix(24)
            throw .invalidArgument("send: \(field) is not valid base64 (RFC 4648: A-Z a-z 0-9 + / with = padding to a multiple of 4 characters); found \(compact.count) characters starting \"\(sample)\"")
        }
        return Array(data)
    }

    /// RFC 9110 token: the characters a header field name may contain.
    static func isHeaderName(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.allSatisfy { byte in
            (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
                || "!#$%&'*+-.^_`|~".utf8.contains(byte)
        }
    }

    /// `type/subtype` made of token characters, optionally with `; parameters` on one line.
    static func isMediaType(_ text: String) -> Bool {
        guard !text.contains(where: \.isNewline) else { return false }
        let essence = text.split(separator: ";", maxSplits: 1).first.map(String.init) ?? ""
        let halves = essence.trimmingCharacters(in: .whitespaces).split(separator: "/", omittingEmptySubsequences: false)
        return halves.count == 2 && halves.allSatisfy { isHeaderName(String($0)) }
    }

    private static func checkSingleLine(_ text: String, field: String) throws(PluginError) {
        guard !text.contains(where: { $0 == "\r" || $0 == "\n" || $0 == "\r\n" }) else {
            throw .invalidArgument("send: \(field) must be one line; it contains a line break")
        }
    }
}
