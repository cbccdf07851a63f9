/// The host's capability graph at one moment, as ``PluginContext/capabilityGraph()`` reads it from
/// the `describe_capabilities` host service: every slot, its candidates and the active binding.
///
/// Keys the kit does not know are ignored, so a newer host that adds some still decodes.
public struct CapabilityGraph: Decodable, Sendable, Hashable {
    /// Every slot, sorted by domain then category.
    public let slots: [Slot]

    /// One slot (`domain:category`) and the providers that compete for it.
    public struct Slot: Decodable, Sendable, Hashable {
        public let domain: String
        public let category: String
        /// The canonical id of the provider that serves the slot now (`adapter:notifier:mailgun`),
        /// or `nil` when none can.
        public let active: String?
        /// The sentence naming the rule that decided (`"… won on priority 20 > 10 over …"`).
        public let decidedBy: String
        /// Every candidate, in registration order; the winner's ``Candidate/status`` is `active`.
        public let candidates: [Candidate]

        /// `domain:category`.
        public var name: String { "\(domain):\(category)" }
    }

    /// One provider in a slot.
    public struct Candidate: Decodable, Sendable, Hashable {
        /// `domain:category:provider`.
        public let id: String
        public let provider: String
        /// The plugin (descriptor `name`) that registered it, and its version.
        public let plugin: String
        public let version: String
        public let priority: Int32
        public let stackLevel: Int32
        /// The registry score, 0…1.
        public let score: Double
        /// `closed`, `open` or `half-open`.
        public let breaker: String
        /// `active`, `standby` or `excluded`.
        public let status: String
        /// Why it stands where it does, naming the rule.
        public let reason: String
    }
}
