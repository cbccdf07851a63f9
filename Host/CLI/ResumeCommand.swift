import ArgumentParser
import CapHostClient
import CapHostCore

/// `caphost resume ID`: undo a drain.
struct ResumeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resume",
        abstract: "Let a drained provider take calls again.",
        discussion: """
        Examples:
          caphost resume adapter:notifier:mailgun
        """)

    @Argument(help: ArgumentHelp("The provider, domain:category:provider.", valueName: "id"))
    var id: String

    @OptionGroup var client: ClientOptions

    func validate() throws { _ = try CapabilityArguments.provider(id) }

    func run() async throws {
        let provider = try CapabilityArguments.provider(id)
        let resumed = try await client.withClient { try await $0.resume(provider) }
        if client.json {
            try JSONOutput.print(["provider": resumed])
        } else {
            Terminal.emit("resumed \(resumed): it takes calls again")
        }
    }
}
