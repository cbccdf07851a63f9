import CapHostCore

/// A host event as the archive keeps it: the event, the run of the host that
/// recorded it, and its archive id. Ids grow across runs (an event's own
/// `sequence` starts again at 1 in every run), so `id` is the cursor for
/// `EventArchive.events(after:limit:kinds:)`.
public struct StoredEvent: Sendable, Codable, Hashable {
    /// Position in the archive; increasing, never reused.
    public let id: Int64
    /// The host run that recorded the event (`EventArchive.runID` of that run).
    public let runID: Int64
    public let event: HostEvent
}
