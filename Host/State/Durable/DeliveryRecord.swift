import CapHostCore

/// A journaled delivery as the API shows it (JSON keys in camelCase; times in
/// seconds since 1970).
public struct DeliveryRecord: Sendable, Codable, Hashable {
    public let id: String
    public let idempotencyKey: String
    /// `domain:category` or `domain:category:provider`.
    public let target: String
    public let method: String
    public let state: DeliveryState
    /// Attempts finished so far (an attempt cut short by a host stop does not count).
    public let attempts: Int
    /// The last attempt's error, `code: message`; nil before the first failure.
    public let lastError: String?
    /// The last error's stable code (`unavailable`, `timeout`, …).
    public let lastErrorCode: String?
    /// The provider that accepted it, `domain:category:provider`.
    public let deliveredBy: String?
    /// Providers that failed this delivery, in order (failover skips them while others are eligible).
    public let failedProviders: [String]
    public let createdAt: WallClockTime
    public let updatedAt: WallClockTime
    /// When the next attempt is due; nil once delivered or dead.
    public let nextAttemptAt: WallClockTime?
}
