import CapHostCore

/// `tools/call`: arguments are validated against the tool's input schema at
/// this edge, then a capability tool goes to the slot's current winner as one
/// guarded call, which checks the payload again against the input schema of the
/// provider it leased (the winner may have changed since the tool was listed).
extension MCPServer {
    func call(_ tool: MCPTool, arguments: [String: JSONValue]) async -> MCPToolResult {
        do {
            try validator.validate(.object(arguments), against: tool.inputSchemaText)
        } catch {
            return .failure(error, tool: tool.name)
        }
        switch tool.target {
        case .host(let hostTool):
            return await hostTool.run(on: host, arguments: arguments, workflowRuns: options.workflowRuns,
                                      durableSteps: options.durableSteps)
        case .capability(let key, let wrapsPayload):
            let payload = wrapsPayload ? (arguments["payload"] ?? .null).serialized() : JSONValue.object(arguments).serialized()
            do {
                let response = try await host.invoker.invoke(.slot(key.slot), method: key.method, payload: payload,
                                                             timeout: options.callTimeout, checksInput: true)
                return Self.result(of: response)
            } catch {
                return .failure(error)
            }
        }
    }

    /// The plugin's response verbatim as text, and as `structuredContent` when it is a JSON object.
    static func result(of response: InvocationResponse) -> MCPToolResult {
        var result = MCPToolResult(text: String(decoding: response.body, as: UTF8.self), structured: nil, isError: false)
        if let parsed = try? JSONValue(parsing: response.body), parsed.objectValue != nil { result.structured = parsed }
        let milliseconds = Double(response.latency.components.seconds) * 1e3 + Double(response.latency.components.attoseconds) / 1e15
        result.meta = ["caphost/provider": .string(response.provider.description),
                       "caphost/latencyMs": .number(JSONNumber((milliseconds * 1000).rounded() / 1000))]
        return result
    }
}
