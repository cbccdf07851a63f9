import ArgumentParser
import CapHostClient
import CapHostCore

/// `caphost unpin SLOT`: hand a slot back to the ranking.
struct UnpinCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "unpin",
        abstract: "Remove a slot's pin (or swap override) so the ranking chooses its provider again.",
        discussion: """
        Examples:
          caphost unpin adapter:notifier
        """)

    @OptionGroup var slot: SlotArgument

    @OptionGroup var client: ClientOptions

    func run() async throws {
        let key = try slot.key()
        let explanation = try await client.withClient { try await $0.unpin(key) }
        if client.json {
            try JSONOutput.print(explanation)
        } else {
            Terminal.emit("unpinned \(key)\n\n" + explanation.text)
        }
    }
}
