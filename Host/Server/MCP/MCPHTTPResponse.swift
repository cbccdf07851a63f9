/// What the HTTP server should answer: status, headers (including
/// `Content-Type` and, after `initialize`, `Mcp-Session-Id`), and a body.
public struct MCPHTTPResponse: Sendable {
    /// The body, by how it must be written.
    public enum Body: Sendable {
        /// No body (202, 204, some errors).
        case empty
        /// A complete body (`application/json`, or `text/event-stream` holding
        /// one reply as `event: message` — the response ends after it).
        case complete([UInt8])
        /// An open-ended `text/event-stream` (a GET stream of server messages):
        /// write each frame as it arrives, flushed; the response ends when the
        /// stream finishes. Stop iterating when the client disconnects (that
        /// detaches the session's stream).
        case stream(AsyncStream<[UInt8]>)
    }

    public var status: Int
    /// Header name/value pairs, in order.
    public var headers: [(name: String, value: String)]
    public var body: Body

    /// A response with `status`, `headers` and `body`.
    public init(status: Int, headers: [(name: String, value: String)] = [], body: Body = .empty) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// The first value of header `name` (case-insensitive).
    public func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    /// The complete body's bytes (empty for `.empty` and `.stream`).
    public var bodyBytes: [UInt8] {
        if case .complete(let bytes) = body { return bytes }
        return []
    }
}
