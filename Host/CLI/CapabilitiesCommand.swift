import ArgumentParser
import CapHostClient
import CapHostCore

/// `caphost capabilities`: every slot, its active provider and why.
struct CapabilitiesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "capabilities",
        abstract: "List the slots (domain:category) of the running host with their active provider and the rule that chose it.",
        discussion: """
        A slot is the place a capability fills, such as adapter:notifier; its \
        candidates are the providers loaded plugins offer for it \
        (adapter:notifier:mailgun, adapter:notifier:outbox). Use `caphost explain \
        SLOT` for every candidate's score, breaker and status.

        Examples:
          caphost capabilities
          caphost capabilities --json | jq '.capabilities[] | {slot, active}'
        """)

    @OptionGroup var client: ClientOptions

    func run() async throws {
        let slots = try await client.withClient { try await $0.capabilities() }
        if client.json {
            try JSONOutput.print(["capabilities": slots])
        } else {
            Terminal.emit(SlotExplanation.summary(slots))
        }
    }
}
