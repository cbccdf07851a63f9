import CapHostCore

/// Everything a running caphost needs, as read from `caphost.yaml`: the core's
/// `HostConfiguration` (plugins and state folders, probe, signatures,
/// invocation limits, scoring, auto-swap, watcher, per-plugin configs), the
/// HTTP, gRPC and MCP surfaces, durable delivery, and the log level.
///
/// Secrets only enter through `${VAR}` references; their resolved values are in
/// `secrets`, which everything the host writes is scrubbed with. Use
/// `redactedDescription` to show the settings.
public struct CapHostSettings: Sendable {
    /// The core's configuration; `host.pluginConfigs` holds the JSON text of each
    /// `plugins.<stem>` section and `host.pluginConfigLoader` reads `plugins.d/<stem>.yaml`.
    public var host: HostConfiguration
    /// The HTTP admin API.
    public var http = HTTP()
    /// The gRPC `AdapterRegistry` service.
    public var grpc = GRPC()
    /// MCP over `/mcp`.
    public var mcp = MCP()
    /// Durable (journaled) invocations.
    public var durable = Durable()
    /// The least severe level that is logged.
    public var logLevel: LogLevel = .info
    /// How long shutdown waits for in-flight calls on each plugin (`drain_timeout`, default 10s).
    public var drainTimeout: Duration = .seconds(10)
    /// How often every provider's score is written to the state database (`score_sample_interval`, default 10s).
    public var scoreSampleInterval: Duration = .seconds(10)
    /// The file the settings were read from; nil when they are the defaults.
    public var file: String?
    /// Every secret value resolved so far (shared with the plugin config loader).
    public let secrets: SecretRedactor
    /// Key path → the `${VAR}` reference it was written as, for each secret.
    public var secretReferences: [String: String] = [:]
    /// Key path → the text it was written as, for every host setting read from `${VAR}`
    /// references: a description shows that, never what the environment held.
    var referencedSettings: [String: String] = [:]
    /// Each `plugins.<stem>` section as JSON with its `${VAR}` values as written.
    var pluginConfigsAsWritten: [String: String] = [:]

    /// The defaults: `plugins.d` and `.caphost` in the current folder, HTTP on
    /// 127.0.0.1:7070, gRPC on 127.0.0.1:8679, MCP on, log level info.
    public init(host: HostConfiguration = HostConfiguration(pluginsDirectory: "plugins.d", stateDirectory: ".caphost"),
                secrets: SecretRedactor = SecretRedactor()) {
        self.host = host
        self.secrets = secrets
    }

    /// Log levels, named as swift-log names them (`Logger.Level(rawValue:)` accepts them).
    public enum LogLevel: String, Sendable, Hashable, CaseIterable {
        case trace, debug, info, notice, warning, error, critical
    }
}
