import CapHostCore
import CapHostMCP

/// `mcp`: MCP's streamable HTTP transport (`MCPHTTPEndpoint`: headers, origin, sessions,
/// JSON-RPC decoding and classification, batches, `initialize`, `tools/list`,
/// `tools/call` of the host's own tools) over `EmptyHost`. The input is an
/// `HTTPRequestScript`, sent to a new endpoint. Every answer must be a status a server
/// can send, and every JSON body a JSON-RPC reply whose errors say what failed.
enum MCPFuzzTarget {
    /// The MCP server `caphost serve` would run over `EmptyHost`.
    static let server = MCPServer(host: EmptyHost.shared, logger: EmptyHost.silentLogger("caphost.fuzz.mcp"))

    static let target = FuzzTarget(
        name: "mcp",
        summary: "HTTPRequestScript text: requests to MCPHTTPEndpoint (POST/GET/DELETE, headers, JSON-RPC bodies)",
        dictionary: "http.dict"
    ) { input throws(FuzzFinding) in
        let script = HTTPRequestScript(parsing: input)
        guard !script.requests.isEmpty else { return }
        if let problem = BlockingWait.run({ await exchange(script) }) {
            throw FuzzFinding("mcp", problem)
        }
    }

    /// Sends every request to a new endpoint; the first rule an answer broke, if any.
    private static func exchange(_ script: HTTPRequestScript) async -> String? {
        let endpoint = MCPHTTPEndpoint(server: server)
        let problem = await send(script, to: endpoint)
        await finish(endpoint)
        return problem
    }

    private static func send(_ script: HTTPRequestScript, to endpoint: MCPHTTPEndpoint) async -> String? {
        var session: String?
        for request in script.requests {
            let current = session
            func header(_ name: String) -> String? {
                request.header(name).map { HTTPRequestScript.substituted($0, session: current, token: "") }
            }
            let response = await endpoint.handle(MCPHTTPRequest(
                method: request.method, accept: header("Accept"), contentType: header("Content-Type"),
                sessionID: header("Mcp-Session-Id"), protocolVersion: header("MCP-Protocol-Version"),
                lastEventID: header("Last-Event-ID"), origin: header("Origin"), body: request.body))
            if let problem = problem(with: response, to: request) { return problem }
            if let id = response.header("Mcp-Session-Id") { session = id }
        }
        return nil
    }

    /// Ends the input's sessions and clears what it set on the host.
    static func finish(_ endpoint: MCPHTTPEndpoint) async {
        endpoint.closeAllSessions()
        await EmptyHost.clearPins()
    }

    private static func problem(with response: MCPHTTPResponse, to request: HTTPRequestScript.Request) -> String? {
        let asked = "\(request.method) with body \(String(decoding: request.body.prefix(200), as: UTF8.self))"
        guard (200...599).contains(response.status) else { return "status \(response.status) for \(asked)" }
        guard case .complete(let body) = response.body else { return nil }
        let contentType = response.header("Content-Type") ?? ""
        let document: [UInt8]
        if contentType == "application/json" {
            document = body
        } else if contentType == "text/event-stream" {
            // One `event: message` whose `data:` line holds the reply.
            let lines = body.split(separator: UInt8(ascii: "\n"))
            guard let data = lines.first(where: { $0.starts(with: Array("data: ".utf8)) }) else {
                return "an event-stream answer without a data line for \(asked)"
            }
            document = Array(data.dropFirst(6))
        } else {
            return "a body with Content-Type '\(contentType)' for \(asked)"
        }
        let reply: JSONValue
        do throws(JSONParseError) {
            reply = try JSONValue(parsing: document)
        } catch {
            return "the answer is not JSON (\(error)) for \(asked)"
        }
        for message in reply.arrayValue ?? [reply] {
            if let problem = problem(withReply: message) { return "\(problem) for \(asked): \(reply.serializedText.prefix(400))" }
        }
        return nil
    }

    /// A JSON-RPC 2.0 reply: `jsonrpc`, an `id`, and a result or an error with a code and a message.
    private static func problem(withReply message: JSONValue) -> String? {
        guard message["jsonrpc"] == .string("2.0"), message["id"] != nil else { return "a reply without jsonrpc 2.0 and an id" }
        switch (message["result"], message["error"]) {
        case (.some, nil):
            return nil
        case (nil, .some(let error)):
            guard error["code"]?.numberValue?.exactInteger != nil, let text = error["message"]?.stringValue, !text.isEmpty else {
                return "an error reply without an integer code and a message"
            }
            return nil
        default:
            return "a reply with neither or both of result and error"
        }
    }
}
