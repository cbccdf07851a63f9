/// A `multipart/form-data` body (RFC 7578): text fields and file parts in order, encoded once
/// with a random boundary that occurs in none of the contents.
///
/// Names and filenames are quoted the way RFC 7578 §4.2 points to and HTML forms, urllib3 (the
/// official Python SDK's transport) and curl do: UTF-8 inside double quotes, with `"`, CR and LF
/// percent-encoded (`%22`, `%0D`, `%0A`) rather than backslash-escaped, which servers do not
/// undo. Text fields carry no `Content-Type` (RFC 7578 §4.4: `text/plain`, here UTF-8).
struct MultipartFormData: Sendable {
    /// One part.
    enum Part: Sendable, Hashable {
        case field(name: String, value: String)
        case file(name: String, filename: String, contentType: String, content: [UInt8])
    }

    private(set) var parts: [Part] = []

    /// Appends a text field.
    mutating func append(_ name: String, _ value: String) {
        parts.append(.field(name: name, value: value))
    }

    /// Appends a file part.
    mutating func appendFile(_ name: String, filename: String, contentType: String, content: [UInt8]) {
        parts.append(.file(name: name, filename: filename, contentType: contentType, content: content))
    }

    /// The encoded body and the `Content-Type` header value naming its boundary.
    func encoded() -> (body: [UInt8], contentType: String) {
        var boundary = Self.randomBoundary()
        while contains(boundary) { boundary = Self.randomBoundary() }
        var body: [UInt8] = []
        body.reserveCapacity(encodedSizeEstimate + 64)
        for part in parts {
            body.append(contentsOf: "--\(boundary)\r\n".utf8)
            switch part {
            case .field(let name, let value):
                body.append(contentsOf: "Content-Disposition: form-data; name=\"\(Self.quoted(name))\"\r\n\r\n".utf8)
                body.append(contentsOf: value.utf8)
            case .file(let name, let filename, let contentType, let content):
                body.append(contentsOf: "Content-Disposition: form-data; name=\"\(Self.quoted(name))\"; filename=\"\(Self.quoted(filename))\"\r\n".utf8)
                body.append(contentsOf: "Content-Type: \(contentType)\r\n\r\n".utf8)
                body.append(contentsOf: content)
            }
            body.append(contentsOf: "\r\n".utf8)
        }
        body.append(contentsOf: "--\(boundary)--\r\n".utf8)
        return (body, "multipart/form-data; boundary=\(boundary)")
    }

    /// Roughly the encoded size: contents plus per-part headers.
    var encodedSizeEstimate: Int {
        parts.reduce(0) { total, part in
            switch part {
            case .field(let name, let value): total + name.utf8.count + value.utf8.count + 100
            case .file(let name, let filename, let type, let content): total + name.utf8.count + filename.utf8.count + type.utf8.count + content.count + 140
            }
        }
    }

    /// `"`, CR and LF percent-encoded; everything else (UTF-8 included) as it is.
    static func quoted(_ text: String) -> String {
        var result = ""
        result.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "%22"
            case "\r": result += "%0D"
            case "\n": result += "%0A"
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result
    }

    /// 32 random hex digits after a fixed prefix: 128 bits, so a collision with content is
    /// astronomically unlikely, and `encoded()` checks anyway.
    private static func randomBoundary() -> String {
        var generator = SystemRandomNumberGenerator()
        let high = String(generator.next() as UInt64, radix: 16)
        let low = String(generator.next() as UInt64, radix: 16)
        return "caphost-mailgun-" + String(repeating: "0", count: 16 - high.count) + high
            + String(repeating: "0", count: 16 - low.count) + low
    }

    /// Whether any part's content or header text contains `boundary`.
    private func contains(_ boundary: String) -> Bool {
        let needle = Array(boundary.utf8)
        return parts.contains { part in
            switch part {
            case .field(let name, let value):
                Self.find(needle, in: Array(name.utf8)) || Self.find(needle, in: Array(value.utf8))
            case .file(let name, let filename, let type, let content):
                Self.find(needle, in: Array(name.utf8)) || Self.find(needle, in: Array(filename.utf8))
                    || Self.find(needle, in: Array(type.utf8)) || Self.find(needle, in: content)
            }
        }
    }

    private static func find(_ needle: [UInt8], in haystack: [UInt8]) -> Bool {
        guard haystack.count >= needle.count, let first = needle.first else { return false }
        var index = 0
        let last = haystack.count - needle.count
        while index <= last {
            if haystack[index] == first, haystack[index..<index + needle.count].elementsEqual(needle) { return true }
            index += 1
        }
        return false
    }
}
