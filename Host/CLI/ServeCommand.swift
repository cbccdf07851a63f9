import ArgumentParser
import CapHostConfig
import CapHostCore
import CapHostServer
import Foundation
import Logging

/// `caphost serve`: the host with its admin API, state and plugins.d watching.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the host: load and watch plugins.d, serve the admin API, MCP and gRPC, keep state in SQLite.",
        discussion: """
        New .so files in the plugins folder load within a blink (after a probe in a child \
        process); a newer version of a loaded provider upgrades it in place; a removed file \
        retires its capabilities once their in-flight calls finish. A plugin's configuration \
        is its section in caphost.yaml, or NAME.yaml / NAME.json beside NAME.so.

        The admin API listens on 127.0.0.1:7070 (every /v1 route, /metrics and /mcp need the \
        bearer token kept in STATE/api-token, generated at first start), the gRPC \
        AdapterRegistry on 127.0.0.1:8679. The state directory keeps the SQLite state (pins, \
        events, scores, per-plugin kv, the durable journal) and STATE/server.json, from which \
        `caphost plugins` and the other client commands find the running host.

        Settings come from caphost.yaml in the current folder (or --config; see \
        caphost.example.yaml for every key); the flags below override it. \
        SIGTERM or Ctrl-C stops accepting requests, drains in-flight calls and flushes state.

        Examples:
          caphost serve
          caphost serve --config /etc/caphost.yaml
          caphost serve --plugins-dir /srv/plugins.d --state-dir /var/lib/caphost --port 7171
        """)

    @Option(help: "The configuration file (default: caphost.yaml in the current folder, if there is one).")
    var config: String?

    @Option(help: "The drop folder to load and watch (default plugins.d).")
    var pluginsDir: String?

    @Option(help: "The state directory: SQLite state, api-token, server.json, loaded images (default .caphost).")
    var stateDir: String?

    @Option(help: "Address of the admin API and gRPC (anything but loopback needs TLS; default 127.0.0.1).")
    var address: String?

    @Option(help: "Port of the admin API (0 picks a free one; server.json tells which; default 7070).")
    var port: Int?

    @Option(help: "Port of the gRPC AdapterRegistry (0 picks a free one; default 8679).")
    var grpcPort: Int?

    @Flag(help: "Do not serve the gRPC AdapterRegistry.")
    var noGrpc = false

    @Flag(help: "Do not serve MCP at /mcp.")
    var noMcp = false

    @Flag(help: "Load plugins without probing them in a child process first.")
    var noProbe = false

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical (default: the configuration's, else info).")
    var logLevel: Logger.Level?

    func run() async throws {
        var loaded: CapHostSettings
        do throws(ConfigFileError) {
            loaded = try CapHostSettingsLoader.load(path: config)
        } catch {
            throw ValidationError(error.description)
        }
        if let pluginsDir { loaded.host.pluginsDirectory = pluginsDir }
        if let stateDir { loaded.host.stateDirectory = stateDir }
        if noProbe { loaded.host.probe.enabled = false }
        if let address {
            loaded.http.address = address
            loaded.grpc.address = address
        }
        if let port { loaded.http.port = port }
        if let grpcPort { loaded.grpc.port = grpcPort }
        if noGrpc { loaded.grpc.enabled = false }
        if noMcp { loaded.mcp.enabled = false }
        let level = logLevel ?? Logger.Level(rawValue: loaded.logLevel.rawValue) ?? .info
        LoggingSystem.bootstrap { label in StandardErrorLogHandler(label: label, level: level) }
        let logger = Logger(label: "caphost")
        if let file = loaded.file { logger.info("configuration from \(file)") }
        try await Self.serve(RuntimeSettings(loaded), logger: logger)
    }

    /// Runs a host with `settings` until SIGTERM/SIGINT.
    static func serve(_ settings: RuntimeSettings, logger: Logger) async throws {
        let runtime: HostRuntime
        do {
            runtime = try HostRuntime(settings: settings, logger: logger)
        } catch {
            throw ValidationError("\(error)")
        }
        let report = Task {
            guard let endpoints = await runtime.endpoints() else { return }
            while !runtime.readiness.isReady && !Task.isCancelled { try? await Task.sleep(for: .milliseconds(20)) }
            Self.printSummary(runtime, endpoints)
        }
        defer { report.cancel() }
        try await runtime.run()
    }

    static func printSummary(_ runtime: HostRuntime, _ endpoints: RuntimeEndpoints) {
        let plugins = runtime.host.plugins()
        let loaded = plugins.filter { $0.state == .loaded }
        var lines = ["caphost: \(loaded.count) of \(plugins.count) plugin(s) loaded from \(runtime.settings.host.pluginsDirectory)"]
        for report in plugins {
            if let descriptor = report.descriptor, report.state == .loaded {
                lines.append("  ✓ \(descriptor.name) \(descriptor.version): \(report.capabilities.joined(separator: ", "))")
            } else {
                lines.append("  ✗ \(report.file): \(report.error?.description ?? report.state.rawValue)")
            }
        }
        lines.append("caphost: admin API  \(endpoints.url)   (bearer token: \(runtime.token.path))")
        lines.append("caphost: metrics    \(endpoints.url)/metrics")
        if let mcp = endpoints.mcp { lines.append("caphost: MCP        \(mcp)   (streamable HTTP; `caphost mcp` for stdio)") }
        if let grpc = endpoints.grpc { lines.append("caphost: gRPC       \(grpc)   (AdapterRegistry)") }
        lines.append("caphost: watching \(runtime.settings.host.pluginsDirectory); Ctrl-C to stop")
        FileHandle.standardOutput.write(Data((lines.joined(separator: "\n") + "\n").utf8))
    }
}

extension Logger.Level: @retroactive ExpressibleByArgument {}
