import ArgumentParser
import CapHostCore
import CapHostServer
import Foundation
import Logging

/// `caphost serve`: the host with its admin API, state and plugins.d watching.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the host: load and watch plugins.d, serve the admin API, keep state in SQLite.",
        discussion: """
        New .so files in the plugins folder load within a blink (after a probe in a child
        process); a newer version of a loaded provider upgrades it in place; a removed file
        retires its capabilities once their in-flight calls finish. A plugin's configuration
        is NAME.json beside NAME.so.

        The admin API listens on 127.0.0.1:7070 (every /v1 route, /metrics and /mcp need the
        bearer token kept in STATE/api-token, generated at first start). The state directory
        keeps the SQLite state (pins, events, scores, per-plugin kv, the durable journal) and
        STATE/server.json, from which `caphost plugins` and the other client commands find
        the running host.

        SIGTERM or Ctrl-C stops accepting requests, drains in-flight calls and flushes state.

        Examples:
          caphost serve
          caphost serve --plugins-dir /srv/plugins.d --state-dir /var/lib/caphost --port 7171
        """)

    @Option(help: "The drop folder to load and watch.")
    var pluginsDir = "plugins.d"

    @Option(help: "The state directory (SQLite state, api-token, server.json, loaded images).")
    var stateDir = ".caphost"

    @Option(help: "Address of the admin API (anything but loopback needs TLS).")
    var address = "127.0.0.1"

    @Option(help: "Port of the admin API (0 picks a free one; server.json tells which).")
    var port = 7070

    @Flag(help: "Load plugins without probing them in a child process first.")
    var noProbe = false

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: Logger.Level = .info

    func run() async throws {
        let level = logLevel
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        var host = HostConfiguration(pluginsDirectory: pluginsDir, stateDirectory: stateDir)
        host.probe.enabled = !noProbe
        var settings = RuntimeSettings(host: host)
        settings.http.address = address
        settings.http.port = port
        try await Self.serve(settings)
    }

    /// Runs a host with `settings` until SIGTERM/SIGINT.
    static func serve(_ settings: RuntimeSettings) async throws {
        let runtime: HostRuntime
        do {
            runtime = try HostRuntime(settings: settings, logger: Logger(label: "caphost"))
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
        lines.append("caphost: admin API  \(endpoints.url)   (token: \(runtime.token.path))")
        lines.append("caphost: metrics    \(endpoints.url)/metrics")
        if let mcp = endpoints.mcp { lines.append("caphost: MCP        \(mcp)") }
        if let grpc = endpoints.grpc { lines.append("caphost: gRPC       \(grpc) (AdapterRegistry)") }
        lines.append("caphost: watching \(runtime.settings.host.pluginsDirectory); Ctrl-C to stop")
        FileHandle.standardOutput.write(Data((lines.joined(separator: "\n") + "\n").utf8))
    }
}

extension Logger.Level: @retroactive ExpressibleByArgument {}
