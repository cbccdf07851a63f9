import ArgumentParser
import CapHostClient
import CapHostCore

/// `caphost resolve SLOT`: which provider serves the slot now.
struct ResolveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resolve",
        abstract: "Show which provider a slot resolves to right now, and the rule that decided.",
        discussion: """
        Resolution order: an operator pin (if its provider is eligible), then among \
        eligible candidates by priority, stack level, score and newest registration. \
        The exit status is 1 when nothing can serve the slot.

        Examples:
          caphost resolve adapter:notifier
          caphost resolve adapter:notifier --json
        """)

    @OptionGroup var slot: SlotArgument

    @OptionGroup var client: ClientOptions

    func run() async throws {
        let key = try slot.key()
        let resolution = try await client.withClient { try await $0.resolve(key) }
        if client.json {
            try JSONOutput.print(resolution)
        } else {
            Terminal.emit("\(resolution.slot) → \(resolution.provider ?? "(nothing can serve)")\n  decided by: \(resolution.decidedBy)")
        }
        if resolution.provider == nil { throw ExitCode(1) }
    }
}
