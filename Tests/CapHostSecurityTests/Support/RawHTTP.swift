import CapHostTestSupport
import Foundation
#if canImport(Glibc)
import Glibc
#endif

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
        let descriptor: Int32
        let status: Int
        let head: String

        fileprivate init(descriptor: Int32, head: String) throws {
            self.descriptor = descriptor
            self.head = head
            let parts = head.split(separator: " ", maxSplits: 2)
            guard parts.count >= 2, let status = Int(parts[1]) else { throw FixtureError("bad status line: \(head.prefix(100))") }
            self.status = status
        }

        private var open = true

        func close() {
            if open { Glibc.close(descriptor) }
            open = false
        }

        deinit { close() }
    }

    /// Sends `head` and returns once the answer's head has arrived, leaving the connection open.
    static func openStream(port: Int, _ head: String) throws -> OpenStream {
        let descriptor = try connected(port: port)
        try write(Array((head + "\r\n\r\n").utf8), to: descriptor)
        var received: [UInt8] = []
        var byte: UInt8 = 0
        while !received.suffix(4).elementsEqual([13, 10, 13, 10]) {
            guard recv(descriptor, &byte, 1, 0) == 1 else {
                Glibc.close(descriptor)
                throw FixtureError("the stream closed before its head: \(String(decoding: received, as: UTF8.self))")
            }
            received.append(byte)
        }
        return try OpenStream(descriptor: descriptor, head: String(decoding: received, as: UTF8.self))
    }

    private static func send(port: Int, _ bytes: [UInt8]) throws -> [UInt8] {
        let descriptor = try connected(port: port)
        defer { close(descriptor) }
        try write(bytes, to: descriptor)
        var answer: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            if count > 0 { answer += buffer[..<count]; continue }
            if count == 0 { break }
            throw FixtureError("recv from 127.0.0.1:\(port): \(String(cString: strerror(errno))) after \(answer.count) bytes")
        }
        return answer
    }

    private static func connected(port: Int) throws -> Int32 {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw FixtureError("socket: \(String(cString: strerror(errno)))") }
        var timeout = timeval(tv_sec: 20, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            let reason = String(cString: strerror(errno))
            close(descriptor)
            throw FixtureError("connect to 127.0.0.1:\(port): \(reason)")
        }
        return descriptor
    }

    private static func write(_ bytes: [UInt8], to descriptor: Int32) throws {
        var written = 0
        while written < bytes.count {
            let count = bytes[written...].withUnsafeBytes { Glibc.send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard count > 0 else { throw FixtureError("send: \(String(cString: strerror(errno)))") }
            written += count
        }
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
