import CapHostTestSupport
import Foundation

/// HTTP/1.1 over a plain loopback socket, byte for byte as the test writes it:
/// an attack is only tested if nothing between the test and the server
/// normalises the path, fills in `Host` or adds a content type.
enum RawHTTP {
    /// A parsed answer.
    struct Response: Sendable {
        let status: Int
        let headers: [(name: String, value: String)]
        let body: String

        func header(_ name: String) -> String? {
            headers.first { $0.name.lowercased() == name.lowercased() }?.value
        }
    }

    /// Sends `head` (request line and headers, without the blank line; `Connection: close`
    /// is added) and `body` to 127.0.0.1:`port`, and reads the answer until the server closes.
    static func exchange(port: Int, _ head: String, body: String = "") throws -> Response {
        var text = head
        if !text.lowercased().contains("\r\nconnection:") { text += "\r\nConnection: close" }
        if !body.isEmpty && !text.lowercased().contains("\r\ncontent-length:") { text += "\r\nContent-Length: \(body.utf8.count)" }
        text += "\r\n\r\n" + body
        let raw = try send(port: port, Array(text.utf8))
        return try parse(raw)
    }

    /// The request line and `Host` header most probes start from.
    static func head(_ method: String, _ target: String, port: Int, headers: [String] = []) -> String {
        ([ "\(method) \(target) HTTP/1.1", "Host: 127.0.0.1:\(port)"] + headers).joined(separator: "\r\n")
    }

    /// A request whose answer stays open (an event stream): the head is read, the socket kept.
    final class OpenStream {
        let connection: LoopbackSocket
        let status: Int
        let head: String

        fileprivate init(connection: LoopbackSocket, head: String) throws {
            self.connection = connection
            self.head = head
            let parts = head.split(separator: " ", maxSplits: 2)
            guard parts.count >= 2, let status = Int(parts[1]) else { throw FixtureError("bad status line: \(head.prefix(100))") }
            self.status = status
        }

        func close() { connection.close() }
    }

    /// Sends `head` and returns once the answer's head has arrived, leaving the connection open.
    static func openStream(port: Int, _ head: String) throws -> OpenStream {
        let connection = try LoopbackSocket(port: port, receiveTimeout: 20)
        try connection.send(Array((head + "\r\n\r\n").utf8))
        var received: [UInt8] = []
        while !received.suffix(4).elementsEqual([13, 10, 13, 10]) {
            guard let byte = connection.readByte() else {
                throw FixtureError("the stream closed before its head: \(String(decoding: received, as: UTF8.self))")
            }
            received.append(byte)
        }
        return try OpenStream(connection: connection, head: String(decoding: received, as: UTF8.self))
    }

    private static func send(port: Int, _ bytes: [UInt8]) throws -> [UInt8] {
        let connection = try LoopbackSocket(port: port, receiveTimeout: 20)
        try connection.send(bytes)
        return try connection.readToEnd()
    }

    private static func parse(_ raw: [UInt8]) throws -> Response {
        let text = String(decoding: raw, as: UTF8.self)
        guard let split = text.range(of: "\r\n\r\n") else { throw FixtureError("no complete HTTP head in: \(text.prefix(300))") }
        let lines = text[..<split.lowerBound].components(separatedBy: "\r\n")
        let statusParts = lines[0].split(separator: " ", maxSplits: 2)
        guard statusParts.count >= 2, let status = Int(statusParts[1]) else { throw FixtureError("bad status line: \(lines[0])") }
        let headers = lines.dropFirst().compactMap { line -> (name: String, value: String)? in
            guard let colon = line.firstIndex(of: ":") else { return nil }
            return (String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
        }
        var body = String(text[split.upperBound...])
        if headers.contains(where: { $0.name.lowercased() == "transfer-encoding" && $0.value.lowercased().contains("chunked") }) {
            body = dechunk(body)
        }
        return Response(status: status, headers: headers, body: body)
    }

    private static func dechunk(_ text: String) -> String {
        var rest = Substring(text)
        var body = ""
        while let lineEnd = rest.range(of: "\r\n"), let size = Int(rest[..<lineEnd.lowerBound], radix: 16), size > 0 {
            let start = lineEnd.upperBound
            let utf8 = rest[start...].utf8
            let end = utf8.index(utf8.startIndex, offsetBy: min(size, utf8.count))
            body += String(Substring(utf8[..<end]))
            rest = Substring(utf8[end...]).dropFirst(2)
        }
        return body
    }
}
