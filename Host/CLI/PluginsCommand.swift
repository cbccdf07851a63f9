import ArgumentParser
import CapHostClient
import CapHostCore

/// `caphost plugins`: every plugin file the running host knows, and why any failed.
struct PluginsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plugins",
        abstract: "List the plugin files of the running host: loaded, failed, quarantined, removed or superseded.",
        discussion: """
        Each row is one .so file in the host's plugins folder with the plugin's \
        name, version and the capabilities it serves. A file that did not load is \
        listed with the check that refused it and what was expected versus found \
        (file, elf, signature, descriptor, create, health, probe, conflict, config).

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
