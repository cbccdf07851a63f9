/// One event of a `text/event-stream`, as the HTML standard's parser dispatches it.
public struct ServerSentEvent: Sendable, Hashable {
    /// The last event id seen on the stream when this event was dispatched
    /// (what a reconnect sends as `Last-Event-ID`); empty when none was set.
    public let id: String
    /// The `event:` field, `message` when absent.
    public let event: String
    /// The `data:` lines joined with newlines.
    public let data: String

    /// An event as dispatched.
    public init(id: String, event: String, data: String) {
        self.id = id
        self.event = event
        self.data = data
    }
}
