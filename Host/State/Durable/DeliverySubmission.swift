/// What `DurableDelivery.submit(_:)` answers once the delivery is committed.
public struct DeliverySubmission: Sendable, Hashable {
    /// The journaled delivery (the earlier one, when `created` is false).
    public let record: DeliveryRecord
    /// False when the idempotency key was already journaled: nothing new was queued.
    public let created: Bool
}
