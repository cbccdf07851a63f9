import AsyncHTTPClient
import NIOCore
import NIOHTTP1

extension HTTPClientRequest {
    /// A request to the admin API as its clients send one: the bearer token
    /// (when given), `headers`, and a body sent as `application/json` unless
    /// `headers` name another content type (the API refuses other bodies).
    public static func admin(_ url: String, method: HTTPMethod, token: String?, headers: [(String, String)] = [],
                             body: String? = nil) -> HTTPClientRequest {
        var request = HTTPClientRequest(url: url)
        request.method = method
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body {
            if !headers.contains(where: { $0.0.lowercased() == "content-type" }) {
                request.headers.add(name: "Content-Type", value: "application/json")
            }
            request.body = .bytes(ByteBuffer(string: body))
        }
        return request
    }
}
