/// What `MCPHTTPEndpoint` needs of one HTTP request to the MCP endpoint: the
/// method, the headers that matter to the streamable HTTP transport, and the
/// body. The HTTP server fills it in; header names are matched by the server
/// (case-insensitively), values are passed as received.
public struct MCPHTTPRequest: Sendable {
    /// `POST`, `GET`, `DELETE` (anything else is answered 405).
    public var method: String
    /// `Accept`.
    public var accept: String?
    /// `Content-Type`.
    public var contentType: String?
    /// `Mcp-Session-Id`.
    public var sessionID: String?
    /// `MCP-Protocol-Version`.
    public var protocolVersion: String?
    /// `Last-Event-ID` (GET streams resume after it).
    public var lastEventID: String?
    /// `Origin` (browsers send it; only loopback and configured origins are accepted).
    public var origin: String?
    /// The request body (POST: a JSON-RPC message or batch).
    public var body: [UInt8]

    /// A request as the HTTP server received it.
    public init(method: String, accept: String? = nil, contentType: String? = nil, sessionID: String? = nil,
                protocolVersion: String? = nil, lastEventID: String? = nil, origin: String? = nil, body: [UInt8] = []) {
        self.method = method
        self.accept = accept
        self.contentType = contentType
        self.sessionID = sessionID
        self.protocolVersion = protocolVersion
        self.lastEventID = lastEventID
        self.origin = origin
        self.body = body
    }
}
