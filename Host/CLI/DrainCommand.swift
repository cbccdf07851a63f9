import ArgumentParser
import CapHostClient
import CapHostCore

/// `caphost drain ID`: stop routing calls to a provider and wait for its in-flight calls.
struct DrainCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "drain",
        abstract: "Drain a provider: no new calls reach it; the command returns once its in-flight calls finished.",
        discussion: """
        The slot fails over to the next eligible candidate at once. The provider \
        stays loaded and drained until `caphost resume ID` (or a reload of its \
        plugin). On a terminal the wait is shown on stderr; piped output stays \
        clean.

        Examples:
          caphost drain adapter:notifier:mailgun --reason "provider maintenance"
          caphost drain adapter:notifier:mailgun --timeout 120 && ./upgrade.sh
          caphost resume adapter:notifier:mailgun
        """)

    @Argument(help: ArgumentHelp("The provider, domain:category:provider.", valueName: "id"))
    var id: String

    @Option(help: ArgumentHelp("Why, for the event log.", valueName: "text"))
    var reason: String?

    @OptionGroup var client: ClientOptions

    func validate() throws { _ = try CapabilityArguments.provider(id) }

    func run() async throws {
        let provider = try CapabilityArguments.provider(id)
        // Draining waits for calls that may run long: ten minutes unless --timeout says otherwise.
        let timeout = client.requestTimeout(or: .seconds(600))
        let progress = Terminal.stderrIsTerminal ? ProgressLine(text: "draining \(provider): waiting for in-flight calls to finish") : nil
        let result: DrainResult
        do {
            result = try await client.withClient { try await $0.drain(provider, reason: reason, timeout: timeout) }
            await progress?.finish()
        } catch {
            await progress?.finish()
            throw error
        }
        if client.json {
            try JSONOutput.print(result)
        } else {
            Terminal.emit("drained \(result.provider): \(result.inFlightAtStart) call(s) were in flight and finished; it takes no new calls until `caphost resume \(result.provider)`")
        }
    }
}
