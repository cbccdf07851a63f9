import ArgumentParser
import CapHostClient
import CapHostCore

/// `caphost pin SLOT PROVIDER`: make a slot prefer one provider.
struct PinCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pin",
        abstract: "Pin a slot to a provider: it wins whenever it is eligible, even over higher priorities.",
        discussion: """
        A pin is declarative: it may name a provider that is not loaded yet, and it \
        takes effect when that provider appears. While the pinned provider cannot \
        serve (breaker open, draining, unhealthy), `caphost explain` says so and the \
        slot falls back to the ranking — never silently.

        Examples:
          caphost pin adapter:notifier mailgun
          caphost explain adapter:notifier
        """)

    @OptionGroup var slot: SlotArgument

    @Argument(help: ArgumentHelp("The provider to pin: its name or domain:category:provider.", valueName: "provider"))
    var provider: String

    @OptionGroup var client: ClientOptions

    func validate() throws { _ = try CapabilityArguments.provider(provider, of: try slot.key()) }

    func run() async throws {
        let key = try slot.key()
        let name = try CapabilityArguments.provider(provider, of: key)
        let explanation = try await client.withClient { try await $0.pin(key, to: name) }
        if client.json {
            try JSONOutput.print(explanation)
        } else {
            Terminal.emit("pinned \(key) to \(name)\n\n" + explanation.text)
        }
    }
}
