/// An operator's choice of provider for a slot: a `pin` (declarative; may name
/// a provider not loaded yet) or the result of a `swap` (health-checked first).
public struct SlotOverride: Sendable, Hashable, Codable {
    public enum Origin: String, Sendable, Hashable, Codable { case pin, swap }

    public let provider: String
    public let origin: Origin
    public let at: WallClockTime

    public var sentence: String {
        origin == .pin ? "pinned by operator at \(at.timeOfDay)" : "selected by operator swap at \(at.timeOfDay)"
    }
}
