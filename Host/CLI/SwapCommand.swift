import ArgumentParser
import CapHostClient
import CapHostCore

/// `caphost swap SLOT PROVIDER`: switch a slot to another provider now.
struct SwapCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "swap",
        abstract: "Switch a slot to another provider: health-check it, switch atomically, let in-flight calls finish on the old one.",
        discussion: """
        The target is health-checked first; if it fails, nothing changes and the \
        command says why. Calls already running on the previous provider finish \
        there; new calls go to the target. The swap holds until you `caphost unpin \
        SLOT` or another swap; auto-swap by score does not override it.

        Examples:
          caphost swap adapter:notifier outbox
          caphost swap adapter:notifier adapter:notifier:mailgun \\
            --reason "outbox disk full"
        """)

    @OptionGroup var slot: SlotArgument

    @Argument(help: ArgumentHelp("The provider to switch to: its name or domain:category:provider.", valueName: "provider"))
    var provider: String

    @Option(help: ArgumentHelp("Why, for the event log.", valueName: "text"))
    var reason: String?

    @OptionGroup var client: ClientOptions

    func validate() throws { _ = try CapabilityArguments.provider(provider, of: try slot.key()) }

    func run() async throws {
        let key = try slot.key()
        let name = try CapabilityArguments.provider(provider, of: key)
        let outcome = try await client.withClient { try await $0.swap(key, to: name, reason: reason) }
        if client.json {
            try JSONOutput.print(outcome)
        } else {
            Terminal.emit(outcome.text)
        }
    }
}
