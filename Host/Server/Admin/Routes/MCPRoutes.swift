import CapHostMCP
import HTTPTypes
import Hummingbird
import NIOCore

/// `/mcp`: MCP's streamable HTTP transport. The protocol lives in
/// `MCPHTTPEndpoint`; this only moves requests and responses between it and
/// Hummingbird (the token was checked before routing).
enum MCPRoutes {
    static func add(to router: Router<BasicRequestContext>, endpoint: MCPHTTPEndpoint, maxBodyBytes: Int) {
        let handler: @Sendable (Request, BasicRequestContext) async throws -> Response = { request, _ in
            let body = request.method == .post ? Array(try await InvokeRoutes.payload(request, limit: maxBodyBytes).buffer.readableBytesView) : []
            let mcpRequest = MCPHTTPRequest(
                method: request.method.rawValue,
                accept: request.headers[.accept],
                contentType: request.headers[.contentType],
                sessionID: request.headers[HTTPField.Name("Mcp-Session-Id")!],
                protocolVersion: request.headers[HTTPField.Name("MCP-Protocol-Version")!],
                lastEventID: request.headers[HTTPField.Name("Last-Event-ID")!],
                origin: request.headers[.origin],
                body: body)
            return response(await endpoint.handle(mcpRequest))
        }
        router.post("mcp", use: handler)
        router.get("mcp", use: handler)
        router.delete("mcp", use: handler)
    }

    static func response(_ answer: MCPHTTPResponse) -> Response {
        var headers = HTTPFields()
        for (name, value) in answer.headers {
            if let field = HTTPField.Name(name) { headers.append(HTTPField(name: field, value: value)) }
        }
        let status = HTTPResponse.Status(code: answer.status)
        switch answer.body {
        case .empty:
            return Response(status: status, headers: headers)
        case .complete(let bytes):
            return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
        case .stream(let frames):
            return Response(status: status, headers: headers,
                            body: ResponseBody(asyncSequence: frames.map { ByteBuffer(bytes: $0) }))
        }
    }
}
