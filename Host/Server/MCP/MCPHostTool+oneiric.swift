import CapHostCore

/// The seed's four Oneiric tools (`RegistryQuery`), as MCP tool results.
extension MCPHostTool {
    func runOneiric(on host: CapabilityHost, arguments: [String: JSONValue]) async -> MCPToolResult {
        guard let query = RegistryQuery(rawValue: rawValue) else {
            return .failure(code: "internal", message: "\(rawValue) is not an Oneiric tool")
        }
        switch await query.answer(on: host, arguments: arguments) {
        case .success(let reply): return .success(reply)
        case .failure(let failure): return .failure(code: failure.code, message: failure.message, extra: failure.extra)
        }
    }
}
