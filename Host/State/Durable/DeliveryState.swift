/// Where a durable delivery stands.
public enum DeliveryState: String, Sendable, Hashable, Codable, CaseIterable {
    /// Journaled; waiting for its (next) attempt.
    case pending
    /// An attempt is running. A host that stops without finishing it puts it
    /// back to `pending` at its next start.
    case inFlight
    /// A provider accepted it (`deliveredBy` says which).
    case delivered
    /// Dead-lettered: a non-retryable error, or `maxAttempts` failures; `lastError` says why.
    case dead
}
