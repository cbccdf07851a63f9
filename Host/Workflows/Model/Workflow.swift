/// One workflow of a file: what it needs and the steps it runs, in order.
public struct Workflow: Sendable, Hashable {
    public let name: String
    public let description: String
    /// Slots (or providers) that must serve, and be healthy, before the first step.
    public let requirements: [AdapterRequirement]
    public let steps: [WorkflowStep]
    /// The file it was read from, and where it starts.
    public let file: String
    public let line: Int
    public let column: Int
}

/// One entry of `adapter_requirements`: a slot, or one provider of it.
public struct AdapterRequirement: Sendable, Hashable, CustomStringConvertible {
    public let domain: String
    public let category: String
    public let provider: String?
    public let line: Int
    public let column: Int

    public var description: String { [domain, category, provider].compactMap { $0 }.joined(separator: ":") }
}
