/// The answer of an invoke: the plugin's response bytes, verbatim, and which
/// provider produced them (`Caphost-Provider`).
public struct InvocationResult: Sendable, Hashable {
    /// The plugin's JSON response.
    public let body: [UInt8]
    /// `domain:category:provider` that answered.
    public let provider: String?

    /// A result as received.
    public init(body: [UInt8], provider: String?) {
        self.body = body
        self.provider = provider
    }

    /// The response as UTF-8 text.
    public var text: String { String(decoding: body, as: UTF8.self) }
}
