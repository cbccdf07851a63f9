import ArgumentParser
import CapHostCore
import Foundation
import Logging

/// `caphost serve`: load and watch plugins.d, log every event.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the host: load every plugin in the drop folder, watch it, keep scores, log events.",
        discussion: """
        New .so files in the plugins folder load within a blink (after a probe in a child
        process); a newer version of a loaded provider upgrades it in place; a removed file
        retires its capabilities once their in-flight calls finish. A plugin's configuration
        is NAME.json beside NAME.so. Stop with Ctrl-C or SIGTERM.
        """)

    @Option(help: "The drop folder to load and watch.")
    var pluginsDir = "plugins.d"

    @Option(help: "The state directory (content-addressed plugin images live under loaded/).")
    var stateDir = ".caphost"

    @Flag(help: "Load plugins without probing them in a child process first.")
    var noProbe = false

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: Logger.Level = .info

    func run() async throws {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = logLevel
            return handler
        }
        var configuration = HostConfiguration(pluginsDirectory: pluginsDir, stateDirectory: stateDir)
        configuration.probe.enabled = !noProbe
        let host: CapabilityHost
        do {
            host = try CapabilityHost(configuration: configuration)
        } catch let error as ConfigurationError {
            throw ValidationError(error.description)
        }
        let started = ContinuousClock.now
        await host.start()
        let plugins = host.plugins()
        let loaded = plugins.filter { $0.state == .loaded }
        print("caphost: \(loaded.count) of \(plugins.count) plugin(s) loaded from \(pluginsDir) in \(ContinuousClock.now - started)")
        for report in plugins {
            if let descriptor = report.descriptor, report.state == .loaded {
                print("  ✓ \(descriptor.name) \(descriptor.version): \(report.capabilities.joined(separator: ", "))")
            } else {
                print("  ✗ \(report.file): \(report.error?.description ?? report.state.rawValue)")
            }
        }
        print("caphost: watching \(pluginsDir); Ctrl-C to stop")

        let signals = SignalWaiter(signals: [SIGINT, SIGTERM])
        let received = await signals.next()
        print("caphost: \(received == SIGINT ? "SIGINT" : "SIGTERM"): draining in-flight calls and stopping")
        await host.stop()
    }
}

extension Logger.Level: @retroactive ExpressibleByArgument {}
