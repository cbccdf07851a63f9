import Foundation

/// One request to a test peer's plain-HTTP control API (the Mailgun and UniFi peers): HTTP/1.1
/// with `Connection: close` on a blocking loopback socket, run off the cooperative pool. Any
/// answer but 200 is an error quoting the status line and the body.
public enum PeerControlRequest {
    /// Sends `method path` with an optional JSON `body` to `127.0.0.1:port` and returns the body
    /// of the 200 answer; `peer` names the peer in errors.
    public static func send(port: Int, peer: String, _ method: String, _ path: String, body: Data?) async throws -> Data {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(with: Result { try exchange(port: port, peer: peer, method: method, path: path, body: body) })
            }
        }
    }

    private static func exchange(port: Int, peer: String, method: String, path: String, body: Data?) throws -> Data {
        let connection = try LoopbackSocket(port: port, what: peer)
        var request = Data("\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\n".utf8)
        if let body {
            request.append(Data("Content-Type: application/json\r\nContent-Length: \(body.count)\r\n".utf8))
        }
        request.append(Data("\r\n".utf8))
        if let body { request.append(body) }
        try connection.send(Array(request))
        let response = Data(try connection.readToEnd())
        guard let split = response.range(of: Data("\r\n\r\n".utf8)) else {
            throw FixtureError("\(peer): \(method) \(path): no HTTP response")
        }
        let head = String(decoding: response[..<split.lowerBound], as: UTF8.self)
        let payload = response[split.upperBound...]
        guard head.hasPrefix("HTTP/1.1 200") || head.hasPrefix("HTTP/1.0 200") else {
            throw FixtureError("\(peer): \(method) \(path): \(head.split(separator: "\r\n").first ?? "") \(String(decoding: payload, as: UTF8.self))")
        }
        return Data(payload)
    }
}
