import ArgumentParser
import CapHostClient
import CapHostCore

/// `caphost explain SLOT`: every candidate of a slot and why it has its place.
struct ExplainCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "explain",
        abstract: "Explain a slot: every candidate with its priority, stack level, score parts, breaker, status and reason.",
        discussion: """
        Each candidate is active (●), standby (○) or excluded (✗), with the sentence \
        that names the rule: "won on priority 80 > 60", "excluded: breaker open \
        since 12:00:01 after 3 failures", "demoted: score 0.62 < 0.70". A pin whose \
        provider cannot serve is said so explicitly, never skipped silently.

        Examples:
          caphost explain adapter:notifier
          caphost explain adapter:notifier --json | jq '.candidates[] | .reason'
        """)

    @OptionGroup var slot: SlotArgument

    @OptionGroup var client: ClientOptions

    func run() async throws {
        let key = try slot.key()
        let explanation = try await client.withClient { try await $0.explain(key) }
        if client.json {
            try JSONOutput.print(explanation)
        } else {
            Terminal.emit(explanation.text)
        }
    }
}
