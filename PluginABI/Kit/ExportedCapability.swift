/// A declared capability prepared once for the hot path: requests share it by reference instead
/// of copying the ``Capability`` value (and its strings) into every call.
final class ExportedCapability: Sendable {
    /// The capability as the manifest declared it.
    let capability: Capability
    /// Its position in the descriptor's capability table.
    let index: Int
    /// Method names by wire index.
    let methodNames: [String]

    init(_ capability: Capability, index: Int) {
        self.capability = capability
        self.index = index
        self.methodNames = capability.methods.map(\.name)
    }
}
