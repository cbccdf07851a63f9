/// The answer of `POST /v1/resolve`: which provider a slot resolves to now.
public struct Resolution: Sendable, Hashable, Codable {
    /// `domain:category`.
    public let slot: String
    /// `domain:category:provider`, or nil when nothing can serve.
    public let provider: String?
    /// The sentence naming the rule that decided.
    public let decidedBy: String
}
