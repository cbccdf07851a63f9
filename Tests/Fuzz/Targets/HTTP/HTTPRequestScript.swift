/// A few HTTP requests written as text, sent one after another over one server:
/// what the `mcp` and `admin-http` inputs are.
///
/// ```
/// POST /mcp
/// Content-Type: application/json
/// Mcp-Session-Id: $session
///
/// {"jsonrpc":"2.0","id":1,"method":"tools/list"}
/// ~~~
/// DELETE /mcp
/// Mcp-Session-Id: $session
/// ```
///
/// A request is a line `METHOD [PATH]`, header lines `Name: value`, and after an empty
/// line its body; a line `~~~` starts the next request. In a header value `$session`
/// stands for the `Mcp-Session-Id` the server last returned and `$token` for the API
/// token, which a fuzzer could never guess. Header values holding NUL, CR or LF are
/// dropped, as an HTTP/1.1 parser would refuse them before any route saw them.
struct HTTPRequestScript: Sendable {
    /// One request as written.
    struct Request: Sendable {
        var method: String
        var path: String
        var headers: [(name: String, value: String)]
        var body: [UInt8]

        /// The first value of `name` (case-insensitive).
        func header(_ name: String) -> String? {
            headers.first { $0.name.lowercased() == name.lowercased() }?.value
        }
    }

    /// Most requests one input sends.
    static let maximumRequests = 16

    let requests: [Request]

    init(parsing input: [UInt8]) {
        var requests: [Request] = []
        var rest = input[...]
        while !rest.isEmpty && requests.count < Self.maximumRequests {
            let end = Self.separator(in: rest)
            requests.append(Self.request(rest[..<(end?.lowerBound ?? rest.endIndex)]))
            rest = end.map { rest[$0.upperBound...] } ?? rest[rest.endIndex...]
        }
        self.requests = requests
    }

    /// `value` with `$session` and `$token` replaced.
    static func substituted(_ value: String, session: String?, token: String) -> String {
        value.replacingOccurrences(of: "$session", with: session ?? "")
            .replacingOccurrences(of: "$token", with: token)
    }

    private static func request(_ text: ArraySlice<UInt8>) -> Request {
        var lines = text.split(separator: UInt8(ascii: "\n"), maxSplits: 1, omittingEmptySubsequences: false)
        let requestLine = lines.isEmpty ? [] : lines.removeFirst()
        let parts = requestLine.split(separator: UInt8(ascii: " "), maxSplits: 1)
        let method = parts.first.map { String(decoding: $0, as: UTF8.self) } ?? ""
        let path = parts.count > 1 ? String(decoding: parts[1], as: UTF8.self) : "/"
        var headers: [(name: String, value: String)] = []
        var rest = lines.first ?? []
        while !rest.isEmpty {
            let lineEnd = rest.firstIndex(of: UInt8(ascii: "\n")) ?? rest.endIndex
            let line = rest[..<lineEnd]
            rest = lineEnd < rest.endIndex ? rest[rest.index(after: lineEnd)...] : rest[rest.endIndex...]
            if line.isEmpty { break }
            guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else { continue }
            let value = line[line.index(after: colon)...].drop { $0 == UInt8(ascii: " ") }
            guard !value.contains(0), !value.contains(0x0D) else { continue }
            headers.append((String(decoding: line[..<colon], as: UTF8.self), String(decoding: value, as: UTF8.self)))
        }
        return Request(method: method, path: path, headers: headers, body: Array(rest))
    }

    /// Where the next `\n~~~\n` is.
    private static func separator(in bytes: ArraySlice<UInt8>) -> Range<Int>? {
        let marker: [UInt8] = Array("\n~~~\n".utf8)
        guard bytes.count >= marker.count else { return nil }
        var index = bytes.startIndex
        while index + marker.count <= bytes.endIndex {
            if bytes[index] == marker[0] && bytes[index..<(index + marker.count)].elementsEqual(marker) {
                return index..<(index + marker.count)
            }
            index += 1
        }
        return nil
    }
}
