import ArgumentParser
import CapHostConfig
import CapHostCore
import CapHostMCP
import Foundation
import Logging

/// `caphost mcp`: an embedded host served to one MCP client over stdio.
struct MCPCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mcp",
        abstract: "Serve the host's capabilities as MCP tools over stdio (for Claude, IDEs and other MCP clients).",
        discussion: """
        Runs a host over the plugins folder, like `caphost serve`, and speaks MCP (JSON-RPC, one \
        message per line) on stdin/stdout until stdin closes; then it drains and stops. Logs go to \
        stderr only. Every capability method is a tool named domain__category__method (called on \
        the provider the host resolves now); caphost_* tools explain, swap, pin and drain; the \
        oneiric_* tools answer from this host's registry. Dropping a plugin into the folder while a \
        client is connected tells it the tool list changed.

        A client configuration, e.g. for Claude Desktop:
          {"mcpServers": {"caphost": {"command": "/path/to/caphost",
                                      "args": ["mcp", "--plugins-dir", "/path/to/plugins.d"]}}}
        """)

    @Option(help: "The configuration file (default: caphost.yaml in the current folder, if there is one); plugin sections and ${ENV} secrets apply as in `caphost serve`.")
    var config: String?

    @Option(help: "The drop folder to load and watch (default plugins.d).")
    var pluginsDir: String?

    @Option(help: "The state directory (content-addressed plugin images live under loaded/; default .caphost).")
    var stateDir: String?

    @Flag(help: "Load plugins without probing them in a child process first.")
    var noProbe = false

    @Option(help: "Longest a capability tool call may take, in seconds (default: the host's call timeout).")
    var callTimeout: Double?

    @Option(help: "Log level on stderr: trace, debug, info, notice, warning, error, critical.")
    var logLevel: Logger.Level = .info

    func validate() throws {
        if let callTimeout, !(callTimeout > 0) { throw ValidationError("--call-timeout must be a positive number of seconds") }
    }

    func run() async throws {
        signal(SIGPIPE, SIG_IGN)
        // Keep the real stdout for JSON-RPC and point fd 1 at stderr: a plugin that prints
        // (printf, print) must not corrupt the protocol stream.
        let protocolOutput = fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 3)
        guard protocolOutput >= 0, dup2(STDERR_FILENO, STDOUT_FILENO) >= 0 else {
            throw ValidationError("cannot set up stdout for MCP: \(String(cString: strerror(errno)))")
        }
        let level = logLevel
        LoggingSystem.bootstrap { label in StandardErrorLogHandler(label: label, level: level) }
        let logger = Logger(label: "caphost.mcp")
        var configuration: HostConfiguration
        do throws(ConfigFileError) {
            configuration = try CapHostSettingsLoader.load(path: config).host
        } catch {
            throw ValidationError(error.description)
        }
        if let pluginsDir { configuration.pluginsDirectory = pluginsDir }
        if let stateDir { configuration.stateDirectory = stateDir }
        if noProbe { configuration.probe.enabled = false }
        let host: CapabilityHost
        do {
            host = try CapabilityHost(configuration: configuration)
        } catch let error as ConfigurationError {
            throw ValidationError(error.description)
        }
        await host.start()
        let loaded = host.plugins().filter { $0.state == .loaded }.count
        logger.info("caphost mcp: \(loaded) plugin(s) loaded from \(configuration.pluginsDirectory); serving MCP on stdio")

        var options = MCPServer.Options()
        options.callTimeout = callTimeout.map { .milliseconds(Int64($0 * 1000)) }
        let server = MCPServer(host: host, options: options, logger: logger)
        server.start()
        let transport = MCPStdioTransport(server: server, input: STDIN_FILENO, output: protocolOutput)

        // Whichever comes first ends the session: the client closing stdin, or a signal.
        let (endings, ending) = AsyncStream<String>.makeStream()
        let signals = SignalWaiter(signals: [SIGINT, SIGTERM])
        Task {
            await transport.run()
            ending.yield("stdin closed")
        }
        Task {
            ending.yield(await signals.next() == SIGINT ? "SIGINT" : "SIGTERM")
        }
        var reason = "stopped"
        for await first in endings {
            reason = first
            break
        }
        logger.info("caphost mcp: \(reason); stopping")
        server.stop()
        await host.stop(drainTimeout: .seconds(1))
    }
}
