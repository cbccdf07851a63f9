/// A successful call's response: the bytes and who produced them.
public struct InvocationResponse: Sendable {
    public let provider: CapabilityID
    public let method: String
    public let body: [UInt8]
    public let latency: Duration
}
