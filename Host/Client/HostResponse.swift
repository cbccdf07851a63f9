/// One answer of the host: status, headers (names lower-cased) and body bytes.
public struct HostResponse: Sendable, Hashable {
    public let status: Int
    /// Header values by lower-cased name (repeated headers joined with ", ").
    public let headers: [String: String]
    public let body: [UInt8]

    /// A response as received.
    public init(status: Int, headers: [String: String], body: [UInt8]) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// The value of header `name` (any case).
    public func header(_ name: String) -> String? { headers[name.lowercased()] }

    /// The body as UTF-8 text.
    public var text: String { String(decoding: body, as: UTF8.self) }
}
