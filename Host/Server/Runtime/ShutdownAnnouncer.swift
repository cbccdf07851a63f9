import CapHostMCP
import ServiceLifecycle

/// The first thing a graceful shutdown reaches: `/readyz` turns 503 and open
/// event streams and MCP sessions end, so the HTTP server can finish its in-flight requests.
struct ShutdownAnnouncer: Service {
    let readiness: Readiness
    let streams: EventStreams
    let mcp: MCPHTTPEndpoint?

    func run() async throws {
        try? await gracefulShutdown()
        readiness.markNotReady()
        streams.finishAll()
        mcp?.closeAllSessions()
    }
}
