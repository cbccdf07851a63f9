import CapHostCore
import CapHostGRPC
import CapHostState

/// Everything a running host needs beyond the core: where the API listens,
/// how durable deliveries retry, what is served next to HTTP.
public struct RuntimeSettings: Sendable {
    public var host: HostConfiguration
    public var http = AdminAPISettings()
    /// The bearer token from the configuration (`http.token: ${VAR}`); nil = `<state>/api-token`,
    /// generated at first start. A secret: never logged.
    public var apiToken: String?
    public var durable = DurableSettings()
    /// The gRPC AdapterRegistry (nil: not served). Its token, when nil, is the API token.
    public var grpc: AdapterRegistrySettings? = AdapterRegistrySettings()
    /// The gRPC registry asks for the API token (the seed's clients may not send one: then turn this off, on loopback only).
    public var grpcRequiresToken = true
    /// Serve MCP (streamable HTTP) at `/mcp`.
    public var mcpEnabled = true
    /// How long shutdown waits for in-flight calls on each plugin.
    public var drainTimeout: Duration = .seconds(10)
    /// How often every provider's score is written to the state database.
    public var scoreSampleInterval: Duration = .seconds(10)

    public init(host: HostConfiguration) {
        self.host = host
    }
}
