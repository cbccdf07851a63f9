import ArgumentParser
import CapHostClient
import CapHostConfig
import CapHostCore

/// `caphost events`: the host's event log, or a live tail of it.
struct EventsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "events",
        abstract: "Show the host's events (loads, failures, swaps, demotions, breakers …), or follow them live.",
        discussion: """
        Every event has an increasing sequence number; --after N shows those after N \
        (what a script remembers between runs). --follow keeps the connection open \
        and prints each new event as it happens (Server-Sent Events), reconnecting \
        without losing or repeating any if the connection drops; stop it with \
        Ctrl-C. With --json each event is one JSON line.

        Kinds: \(HostEvent.Kind.allCases.map(\.rawValue).joined(separator: ", ")).

        Examples:
          caphost events --limit 20
          caphost events --kind swap_completed,swap_failed --after 1200
          caphost events --follow --kind breaker_opened --json | jq -r .subject
        """)

    @Flag(help: "Keep printing new events as they happen.")
    var follow = false

    @Option(help: ArgumentHelp("Only events with a sequence number greater than this.", valueName: "sequence"))
    var after: UInt64?

    @Option(help: ArgumentHelp("At most this many events (without --follow).", valueName: "count"))
    var limit: Int?

    @Option(name: .customLong("kind"), help: ArgumentHelp("Only events of these kinds (repeat, or separate with commas).", valueName: "kind"))
    var kindNames: [String] = []

    @OptionGroup var client: ClientOptions

    func validate() throws {
        _ = try kinds()
        if let limit, limit <= 0 { throw ValidationError("--limit must be at least 1, found \(limit)") }
        if follow && limit != nil { throw ValidationError("--limit does not apply to --follow (use --after to start later)") }
    }

    func kinds() throws -> [HostEvent.Kind] {
        let names = kindNames.flatMap { $0.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) } }
        return try names.map { name in
            if let kind = HostEvent.Kind(rawValue: name) { return kind }
            let known = HostEvent.Kind.allCases.map(\.rawValue)
            if let close = KeySuggestion.closest(to: name, among: known) {
                throw ValidationError("--kind \(name) is not an event kind; did you mean \(close)?")
            }
            throw ValidationError("--kind \(name) is not an event kind; the kinds are \(known.joined(separator: ", "))")
        }
    }

    func run() async throws {
        let kinds = try kinds()
        if follow {
            try await client.withClient { client in
                for try await event in client.followEvents(after: after, kinds: kinds) { try print(event) }
            }
        } else {
            let events = try await client.withClient { try await $0.events(after: after, limit: limit, kinds: kinds) }
            if client.json {
                try JSONOutput.print(["events": events])
            } else if events.isEmpty {
                Terminal.emit("no events\(after.map { " after #\($0)" } ?? "")")
            } else {
                for event in events { Terminal.emit(event.line) }
            }
        }
    }

    private func print(_ event: HostEvent) throws {
        if client.json { try JSONOutput.line(event) } else { Terminal.emit(event.line) }
    }
}
