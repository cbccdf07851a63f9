import CapHostCore
/// The answer of `GET /v1/deliveries`: delivery records and the journal's depth.
public struct DeliveryList: Sendable, Hashable, Codable {
    /// The records, as the host's journal describes them.
    public let deliveries: [JSONValue]
    /// Deliveries not yet delivered or dead-lettered.
    public let depth: Int
}
