/// A resolved call target: the slot (or one provider) and the interned method.
/// Build it once with `Invoker.callSite(_:method:)` and reuse it: the hot path
/// then costs one atomic load to find the winner.
public struct CallSite: @unchecked Sendable {
    let slot: Slot
    /// Set when the call names one provider instead of the slot's winner.
    let provider: CapabilityID?
    public let method: String
    let methodID: Int

    public var reference: CapabilityReference {
        provider.map { .provider($0) } ?? .slot(slot.key)
    }

    /// Whether the site may be kept for later calls as it is: its method is one
    /// a loaded plugin declared (a site for any other name looks the name up on
    /// every call, and names from outside must not fill a cache).
    public var isReusable: Bool { methodID != MethodNameTable.unknown }
}
