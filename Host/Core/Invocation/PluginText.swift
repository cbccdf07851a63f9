/// Text a plugin hands the host — `set_error` messages, log lines, metric label values — made
/// safe to keep, log and return before anything else sees it: at most `limit` bytes of UTF-8 (cut
/// at a character boundary, saying how many bytes were cut), invalid UTF-8 replaced by U+FFFD,
/// and every control character but tab escaped (`\n`, `\r`, `\u{1B}`, …), as are the C1
/// controls and the bidirectional overrides that can make a log line read as something else.
///
/// Only the first `limit` bytes (plus one character) of a longer text are read, so a plugin's
/// gigabyte of error text costs the host no more than its first few kilobytes.
enum PluginText {
    /// The longest error message or log line kept, in bytes of UTF-8.
    static let limit = 4096

    static func bounded(_ bytes: UnsafeRawBufferPointer, limit: Int = PluginText.limit) -> String {
        // Four bytes past the limit are enough to finish the last character the limit cuts into.
        let read = UnsafeRawBufferPointer(rebasing: bytes.prefix(limit + 4))
        var text = ""
        text.reserveCapacity(min(read.count, limit) + 16)
        var used = 0
        var consumed = 0
        var parser = Unicode.UTF8.ForwardParser()
        var iterator = read.makeIterator()
        var cut = false
        decoding: while true {
            let scalar: Unicode.Scalar
            let width: Int
            switch parser.parseScalar(from: &iterator) {
            case .valid(let encoded):
                scalar = Unicode.UTF8.decode(encoded)
                width = encoded.count
            case .error(let length):
                scalar = "\u{FFFD}"
                width = length
            case .emptyInput:
                break decoding
            }
            let piece = escaped(scalar)
            guard used + piece.utf8.count <= limit, consumed + width <= bytes.count else {
                cut = true
                break
            }
            text += piece
            used += piece.utf8.count
            consumed += width
        }
        if cut || consumed < bytes.count {
            text += "… (\(bytes.count - consumed) more bytes cut)"
        }
        return text
    }

    static func bounded(_ text: String, limit: Int = PluginText.limit) -> String {
        var copy = text
        return copy.withUTF8 { bounded(UnsafeRawBufferPointer($0), limit: limit) }
    }

    /// The scalar as it is kept: itself, or an escape.
    private static func escaped(_ scalar: Unicode.Scalar) -> String {
        switch scalar.value {
        case 0x09: return "\t"
        case 0x0A: return "\\n"
        case 0x0D: return "\\r"
        case 0x00...0x1F, 0x7F...0x9F, 0x202A...0x202E, 0x2066...0x2069:
            return "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
        default: return String(scalar)
        }
    }
}
