import Foundation
import NotifierMessage

/// The encodings an RFC 5322 / MIME message needs: quoted-printable bodies, base64 parts,
/// RFC 2047 encoded words for non-ASCII header text, RFC 2231 parameters and header folding.
/// Every line ends in CRLF.
enum MIMEEncoding {
    static let crlf = "\r\n"

    /// Quoted-printable (RFC 2045 §6.7): line breaks in the text become hard CRLF breaks; other
    /// bytes outside printable ASCII, `=`, and a space or tab before a break are `=XX`; soft breaks
    /// keep every line at 76 characters or fewer.
    static func quotedPrintable(_ text: String) -> String {
        let normalized = text.replacingLineBreaks()
        var output = ""
        for (index, line) in normalized.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            if index > 0 { output += crlf }
            var current = ""
            let bytes = Array(line.utf8)
            for (position, byte) in bytes.enumerated() {
                let isLast = position == bytes.count - 1
                let literal = (byte >= 33 && byte <= 126 && byte != UInt8(ascii: "="))
                    || ((byte == 32 || byte == 9) && !isLast)
                let piece = literal ? String(UnicodeScalar(byte)) : hex(byte)
                if current.utf8.count + piece.utf8.count > (isLast ? 76 : 75) {
                    output += current + "=" + crlf
                    current = ""
                }
                current += piece
            }
            output += current
        }
        return output
    }

    /// Base64 in lines of 76 characters.
    static func base64Lines(_ bytes: [UInt8]) -> String {
        let encoded = base64(bytes)
        var lines: [Substring] = []
        var start = encoded.startIndex
        while start < encoded.endIndex {
            let end = encoded.index(start, offsetBy: 76, limitedBy: encoded.endIndex) ?? encoded.endIndex
            lines.append(encoded[start..<end])
            start = end
        }
        return lines.joined(separator: crlf)
    }

    static func base64(_ bytes: [UInt8]) -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
        var output: [UInt8] = []
        output.reserveCapacity((bytes.count + 2) / 3 * 4)
        var index = 0
        while index + 2 < bytes.count {
            let value = UInt32(bytes[index]) << 16 | UInt32(bytes[index + 1]) << 8 | UInt32(bytes[index + 2])
            output += [alphabet[Int(value >> 18 & 63)], alphabet[Int(value >> 12 & 63)], alphabet[Int(value >> 6 & 63)], alphabet[Int(value & 63)]]
            index += 3
        }
        let rest = bytes.count - index
        if rest > 0 {
            let value = UInt32(bytes[index]) << 16 | (rest == 2 ? UInt32(bytes[index + 1]) << 8 : 0)
            output += [alphabet[Int(value >> 18 & 63)], alphabet[Int(value >> 12 & 63)]]
            output += rest == 2 ? [alphabet[Int(value >> 6 & 63)], UInt8(ascii: "=")] : [UInt8(ascii: "="), UInt8(ascii: "=")]
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// Header text: plain when it is printable ASCII, else RFC 2047 `=?UTF-8?B?…?=` words, each at
    /// most 75 characters and never splitting a character.
    /// A word longer than this would push a line past RFC 5322's 998 characters: encode instead,
    /// since encoded words can be folded.
    static func headerText(_ text: String) -> String {
        let longestWord = text.split(separator: " ").map(\.utf8.count).max() ?? 0
        guard !needsEncoding(text), longestWord <= 900 else { return encodedWords(text).joined(separator: " ") }
        return text
    }

    static func needsEncoding(_ text: String) -> Bool {
        text.utf8.contains { $0 < 32 || $0 > 126 } || text.contains("=?")
    }

    /// RFC 2047 B-encoded words for `text`.
    static func encodedWords(_ text: String) -> [String] {
        // 30 bytes → 40 base64 characters → 52-character words: with the longest field name this
        // code writes ("X-Caphost-Idempotency-Key: ") or a fold, a line stays within 78.
        var words: [String] = []
        var chunk: [UInt8] = []
        for character in text {
            let bytes = Array(String(character).utf8)
            if chunk.count + bytes.count > 30 {
                words.append("=?UTF-8?B?" + base64(chunk) + "?=")
                chunk = []
            }
            chunk += bytes
        }
        if !chunk.isEmpty || words.isEmpty { words.append("=?UTF-8?B?" + base64(chunk) + "?=") }
        return words
    }

    /// One address for a header: the display name quoted (or encoded) and the `<local@domain>`.
    static func address(_ address: String) -> String {
        guard let spec = MailAddress.addrSpec(of: address) else { return address }
        guard let name = MailAddress.displayName(of: address) else { return spec }
        if needsEncoding(name) { return encodedWords(name).joined(separator: " ") + " <\(spec)>" }
        let atext = name.utf8.allSatisfy { byte in
            (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                || byte == 0x20 || "!#$%&'*+-/=?^_`{|}~".utf8.contains(byte)
        }
        if atext { return "\(name) <\(spec)>" }
        return "\"" + name.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\" <\(spec)>"
    }

    /// A header field folded at spaces so lines stay within 78 characters where words allow
    /// (a word is never split; the first may go to a continuation line).
    static func field(_ name: String, _ value: String) -> String {
        var output = ""
        var line = name + ":"
        for word in value.split(separator: " ", omittingEmptySubsequences: false) {
            if line.utf8.count + 1 + word.utf8.count > 78 {
                output += line + crlf
                line = " " + word
            } else {
                line += " " + word
            }
        }
        return output + line + crlf
    }

    /// A MIME parameter: `name="value"` for printable ASCII, RFC 2231 `name*=utf-8''%XX…` otherwise.
    static func parameter(_ name: String, _ value: String) -> String {
        if value.utf8.allSatisfy({ $0 >= 32 && $0 < 127 }) {
            return "\(name)=\"" + value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
        }
        let unreserved = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~".utf8)
        let encoded = value.utf8.map { unreserved.contains($0) ? String(UnicodeScalar($0)) : "%" + hex($0).dropFirst() }.joined()
        return "\(name)*=utf-8''\(encoded)"
    }

    static func hex(_ byte: UInt8) -> String {
        let digits = Array("0123456789ABCDEF")
        return "=" + String(digits[Int(byte >> 4)]) + String(digits[Int(byte & 15)])
    }
}

extension String {
    /// CRLF and lone CR read as LF.
    func replacingLineBreaks() -> String {
        replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
    }
}
