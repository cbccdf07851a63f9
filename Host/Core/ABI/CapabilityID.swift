/// A slot: the place a capability fills, `(domain, category)`.
public struct SlotKey: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    public let domain: String
    public let category: String

    public init(domain: String, category: String) {
        self.domain = domain
        self.category = category
    }

    /// Parses `domain:category` or `domain/category`.
    public init?(parsing text: String) {
        let parts = text.split(separator: text.contains("/") ? "/" : ":", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else { return nil }
        self.init(domain: String(parts[0]), category: String(parts[1]))
    }

    public var description: String { "\(domain):\(category)" }

    public static func < (lhs: SlotKey, rhs: SlotKey) -> Bool { lhs.description < rhs.description }
}

/// The canonical id of a candidate: `domain:category:provider` (Oneiric's adapter id form).
public struct CapabilityID: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    public let slot: SlotKey
    public let provider: String

    public init(domain: String, category: String, provider: String) {
        self.slot = SlotKey(domain: domain, category: category)
        self.provider = provider
    }

    public init(slot: SlotKey, provider: String) {
        self.slot = slot
        self.provider = provider
    }

    /// Parses `domain:category:provider` or `domain/category/provider`.
    public init?(parsing text: String) {
        let parts = text.split(separator: text.contains("/") ? "/" : ":", omittingEmptySubsequences: false)
        guard parts.count == 3, parts.allSatisfy({ !$0.isEmpty }) else { return nil }
        self.init(domain: String(parts[0]), category: String(parts[1]), provider: String(parts[2]))
    }

    public var domain: String { slot.domain }
    public var category: String { slot.category }
    public var description: String { "\(slot.domain):\(slot.category):\(provider)" }
    /// The URL and CLI form, `domain/category/provider`.
    public var path: String { "\(slot.domain)/\(slot.category)/\(provider)" }

    public static func < (lhs: CapabilityID, rhs: CapabilityID) -> Bool { lhs.description < rhs.description }
}

/// What a call names: a slot (its current winner) or one provider.
public enum CapabilityReference: Sendable, Hashable, CustomStringConvertible {
    case slot(SlotKey)
    case provider(CapabilityID)

    /// Parses `domain:category`, `domain:category:provider` or the `/` forms.
    public init?(parsing text: String) {
        if let id = CapabilityID(parsing: text) {
            self = .provider(id)
        } else if let slot = SlotKey(parsing: text) {
            self = .slot(slot)
        } else {
            return nil
        }
    }

    public var slot: SlotKey {
        switch self {
        case .slot(let slot): slot
        case .provider(let id): id.slot
        }
    }

    public var description: String {
        switch self {
        case .slot(let slot): slot.description
        case .provider(let id): id.description
        }
    }
}
