import CapHostCore

/// A journaled delivery as the API shows it (JSON keys in camelCase; times in
/// seconds since 1970).
public struct DeliveryRecord: Sendable, Codable, Hashable {
    /// The delivery id (a lowercase UUID) the API answers with.
    public let id: String
    /// The caller's key, or the UUID the journal generated; the plugin sees it on every attempt.
    public let idempotencyKey: String
    /// `domain:category` or `domain:category:provider`.
    public let target: String
    /// The method called on the target.
    public let method: String
    /// Where the delivery stands.
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
    /// The accepting provider's answer as UTF-8 text; nil until delivered, or
    /// when it was larger than `max_payload_bytes` (then only `responseBytes` is kept).
    public let response: String?
    /// The answer's size in bytes, once delivered.
    public let responseBytes: Int?
    /// When it was journaled.
    public let createdAt: WallClockTime
    /// When its row last changed (an attempt began or ended).
    public let updatedAt: WallClockTime
    /// When the next attempt is due; nil once delivered or dead.
    public let nextAttemptAt: WallClockTime?
}
