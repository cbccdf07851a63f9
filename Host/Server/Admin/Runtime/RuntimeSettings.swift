import CapHostCore
import CapHostState

/// Everything a running host needs beyond the core: where the API listens,
/// how durable deliveries retry, what is served next to HTTP.
public struct RuntimeSettings: Sendable {
    public var host: HostConfiguration
    public var http = AdminAPISettings()
    public var durable = DurableSettings()
    /// How long shutdown waits for in-flight calls on each plugin.
    public var drainTimeout: Duration = .seconds(10)
    /// How often every provider's score is written to the state database.
    public var scoreSampleInterval: Duration = .seconds(10)

    public init(host: HostConfiguration) {
        self.host = host
    }
}
