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
    /// The caller's key (at most 256 bytes), scoped to `target` and `method`: a
    /// repeat of a key for the same target and method returns the delivery
    /// already journaled for it; the same key for another target or method is
    /// another delivery. Nil: the journal generates a UUID.
    public var idempotencyKey: String?
    /// Each attempt's deadline; nil: the engine's `attemptTimeout`.
    public var attemptTimeout: Duration?

    /// A request to deliver `payload` to `target`'s `method`, keyed by `idempotencyKey` when given.
    public init(target: CapabilityReference, method: String, payload: [UInt8], idempotencyKey: String? = nil,
                attemptTimeout: Duration? = nil) {
        self.target = target
        self.method = method
        self.payload = payload
        self.idempotencyKey = idempotencyKey
        self.attemptTimeout = attemptTimeout
    }
}
