import CapHostCore

/// A call to deliver durably: journaled first, then delivered at least once,
/// with retries and failover within the slot, or dead-lettered.
public struct DeliveryRequest: Sendable, Hashable {
    /// A slot (its current winner, with failover to the slot's other
    /// candidates) or one provider (retried on that provider only).
    public var target: CapabilityReference
    public var method: String
    /// The payload, UTF-8 JSON bytes as the plugin will receive them.
    public var payload: [UInt8]
    /// The caller's key (at most 256 bytes); a repeat of a key returns the
    /// delivery already journaled for it. Nil: the journal generates a UUID.
    public var idempotencyKey: String?

    public init(target: CapabilityReference, method: String, payload: [UInt8], idempotencyKey: String? = nil) {
        self.target = target
        self.method = method
        self.payload = payload
        self.idempotencyKey = idempotencyKey
    }
}
