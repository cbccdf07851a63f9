/// One capability a plugin provides: a provider for the slot (``domain``, ``category``).
///
/// What becomes a `cap_capability` in the descriptor. Its canonical id is
/// `domain:category:provider` (``id``).
public struct Capability: Sendable, Hashable {
    /// One of `adapter`, `service`, `task`, `event`, `workflow`.
    public var domain: String
    /// What kind of thing it is, e.g. `notifier`.
    public var category: String
    /// Who provides it, e.g. `mailgun`; unique per (domain, category) within a plugin.
    public var provider: String
    /// Rank for resolution, -1000...1000; higher wins.
    public var priority: Int32
    /// Tie-breaker after priority, -100...100; higher wins.
    public var stackLevel: Int32
    /// One line describing the capability.
    public var description: String?
    /// The methods, in wire order (at least one).
    public var methods: [CapabilityMethod]

    /// Declares a capability.
    public init(domain: String, category: String, provider: String,
                priority: Int32 = 0, stackLevel: Int32 = 0,
                description: String? = nil, methods: [CapabilityMethod]) {
        self.domain = domain
        self.category = category
        self.provider = provider
        self.priority = priority
        self.stackLevel = stackLevel
        self.description = description
        self.methods = methods
    }

    /// The canonical id, `domain:category:provider`.
    public var id: String { "\(domain):\(category):\(provider)" }
}
