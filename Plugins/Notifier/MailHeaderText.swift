import PluginKit

/// Rules for text that ends up in a header line: one line (no CR or LF, so nothing can inject a
/// header), field names of printable ASCII, media types of the `type/subtype` form.
public enum MailHeaderText {
    /// Headers the notifiers write themselves; a payload may not set them through `headers`.
    public static let reservedFieldNames: Set<String> = [
        "from", "to", "cc", "bcc", "subject", "date", "message-id", "mime-version", "content-type",
        "content-transfer-encoding", "content-disposition",
    ]

    /// RFC 5322 field name: printable US-ASCII except ':' (and no space).
    public static func isValidFieldName(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.allSatisfy { $0 >= 33 && $0 <= 126 && $0 != UInt8(ascii: ":") }
    }

    /// `type/subtype` with RFC 2045 token characters, optionally followed by `; parameters`.
    public static func isValidMediaType(_ text: String) -> Bool {
        let essence = text.split(separator: ";", maxSplits: 1).first.map(String.init) ?? ""
        let parts = essence.trimmingSpaces.split(separator: "/", omittingEmptySubsequences: false)
        let tspecials = Set("()<>@,;:\\\"/[]?=".utf8)
        return parts.count == 2 && parts.allSatisfy { part in
            !part.isEmpty && part.utf8.allSatisfy { $0 > 32 && $0 < 127 && !tspecials.contains($0) }
        } && !text.contains("\r") && !text.contains("\n")
    }

    /// Throws when `text` holds a CR or LF (header injection) or a NUL.
    public static func checkSingleLine(_ text: String, at path: String) throws(PluginError) {
        guard !text.utf8.contains(where: { $0 == 13 || $0 == 10 || $0 == 0 }) else {
            throw PluginError.invalidArgument("\(path): expected one line of text, found a line break or NUL (it would end up in a mail header)")
        }
    }
}

extension String {
    /// Without leading and trailing spaces and tabs.
    var trimmingSpaces: String {
        var text = Substring(self)
        while let first = text.first, first == " " || first == "\t" { text.removeFirst() }
        while let last = text.last, last == " " || last == "\t" { text.removeLast() }
        return String(text)
    }
}
