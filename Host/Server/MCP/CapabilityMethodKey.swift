import CapHostCore

/// One capability method as a tool target: the slot and the method name.
struct CapabilityMethodKey: Sendable, Hashable, Comparable {
    let slot: SlotKey
    let method: String

    /// `domain:category/method`: unambiguous, since names never contain `/`.
    var identity: String { "\(slot)/\(method)" }

    static func < (lhs: CapabilityMethodKey, rhs: CapabilityMethodKey) -> Bool { lhs.identity < rhs.identity }
}
