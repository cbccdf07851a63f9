/// The acknowledgement of a durable invoke: the call is journaled and will be
/// delivered (202), or an earlier call with the same idempotency key was (200).
public struct DeliveryReceipt: Sendable, Hashable, Codable {
    public let deliveryId: String
    public let idempotencyKey: String?
    /// `pending`, `inFlight`, `delivered` or `dead`.
    public let state: String
    /// False when the host returned the existing delivery of a repeated idempotency key.
    public let created: Bool?
    /// The HTTP status (202 new, 200 repeated); not part of the JSON.
    public internal(set) var status: Int = 202

    /// Whether the host returned an existing delivery for a repeated idempotency key.
    public var repeated: Bool { created.map { !$0 } ?? (status == 200) }

    enum CodingKeys: String, CodingKey {
        case deliveryId, idempotencyKey, state, created
    }
}
