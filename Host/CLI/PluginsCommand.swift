import ArgumentParser
import CapHostClient
import CapHostCore

/// `caphost plugins`: every plugin file the running host knows, and why any failed;
/// `caphost plugins resume NAME` lifts a quarantine or the host's override.
struct PluginsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plugins",
        abstract: "List the plugin files of the running host, or resume a quarantined or moved one.",
        subcommands: [PluginsListCommand.self, PluginsResumeCommand.self],
        defaultSubcommand: PluginsListCommand.self)
}

/// `caphost plugins [list]`.
struct PluginsListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List the plugin files of the running host: loaded, failed, quarantined, removed or superseded.",
        discussion: """
        Each row is one .so file in the host's plugins folder with the plugin's \
        name, version, where its code runs (in-process, or its own process with \
        its pid or state) and the capabilities it serves. A file that did not load \
        is listed with the check that refused it and what was expected versus found \
        (file, elf, signature, descriptor, create, health, probe, conflict, config, \
        isolation); an isolated plugin's restarts, last end and quarantine follow.

        Examples:
          caphost plugins
          caphost plugins --json | jq '.plugins[] | select(.state != "loaded")'
          CAPHOST_URL=http://127.0.0.1:7071 caphost plugins
        """)

    @OptionGroup var client: ClientOptions

    func run() async throws {
        let reports = try await client.withClient { try await $0.plugins() }
        if client.json {
            try JSONOutput.print(["plugins": reports])
        } else {
            Terminal.emit(PluginReport.text(reports))
        }
    }
}

/// `caphost plugins resume NAME`.
struct PluginsResumeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resume",
        abstract: "Restart a quarantined isolated plugin, or lift the host's override after a crash.",
        discussion: """
        An isolated plugin whose process kept ending is quarantined: no restarts \
        until this command. A plugin that was running when the host died loads \
        isolated (or not at all, per isolation.after_host_crash) until this \
        command; then it loads as the configuration says.

        Examples:
          caphost plugins resume libfoo
          caphost plugins resume libfoo.so
        """)

    @Argument(help: ArgumentHelp("The plugin file's name or stem (libfoo.so or libfoo).", valueName: "name"))
    var name: String

    @OptionGroup var client: ClientOptions

    func run() async throws {
        let done = try await client.withClient { try await $0.resumePlugin(name) }
        if client.json {
            try JSONOutput.print(["plugin": name, "done": done])
        } else {
            Terminal.emit("\(name): \(done)")
        }
    }
}
