import CapHostCore

/// An operator pin as the state database keeps it.
public struct StoredPin: Sendable, Codable, Hashable {
    public let slot: SlotKey
    /// The pinned provider's name (the last part of `domain:category:provider`).
    public let provider: String
    public let pinnedAt: WallClockTime
}
