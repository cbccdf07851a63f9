/// The answer of a drain, sent once the provider's in-flight calls finished.
public struct DrainResult: Sendable, Hashable, Codable {
    /// `domain:category:provider`.
    public let provider: String
    /// Calls that were running when the drain started.
    public let inFlightAtStart: Int
}
