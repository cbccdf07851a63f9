import CapHostCore

/// The tool set at one moment: a tool for every method of every slot with a
/// loaded provider, then the host tools. Built from the host's public state
/// (plugin reports and slot explanations); rebuilt when the host records an
/// event, compared by `digest` to decide whether clients hear `list_changed`.
struct MCPToolCatalog: Sendable {
    let tools: [MCPTool]
    private let indexByName: [String: Int]
    /// A hash of the `tools/list` answer: equal digests, equal lists.
    let digest: String
    /// The newest host event recorded before this catalog was built.
    let eventSequence: UInt64

    init(tools: [MCPTool], eventSequence: UInt64) {
        self.tools = tools
        var index: [String: Int] = [:]
        for (offset, tool) in tools.enumerated() { index[tool.name] = offset }
        self.indexByName = index
        self.eventSequence = eventSequence
        self.digest = MCPToolNaming.hashText(JSONValue.array(tools.map(\.listing)).serializedText)
            + "-\(tools.count)"
    }

    func tool(named name: String) -> MCPTool? { indexByName[name].map { tools[$0] } }

    /// The `tools/list` result.
    var listResult: JSONValue { ["tools": .array(tools.map(\.listing))] }

    /// Builds the catalog from the host as it is now. `knownSequence` is an event
    /// sequence already seen (the previous catalog's), so only newer events are scanned.
    static func build(from host: CapabilityHost, knownSequence: UInt64 = 0) -> MCPToolCatalog {
        // Read the sequence first: an event recorded while building makes the catalog stale.
        let sequence = newestEventSequence(of: host.events, after: knownSequence)
        return build(from: host, eventSequence: sequence)
    }

    /// Whether the host recorded an event since this catalog was built.
    func isStale(for host: CapabilityHost) -> Bool {
        !host.events.events(after: eventSequence, limit: 1).isEmpty
    }

    static func newestEventSequence(of events: EventLog, after known: UInt64) -> UInt64 {
        var newest = known
        while let last = events.events(after: newest, limit: 512).last?.sequence { newest = last }
        return newest
    }

    static func build(from host: CapabilityHost, eventSequence: UInt64) -> MCPToolCatalog {
        let hostTools = MCPHostTool.allCases.map { tool in
            MCPTool(name: tool.rawValue, title: tool.title, description: tool.description,
                    inputSchema: tool.inputSchema, target: .host(tool))
        }
        let generated = MCPCapabilityTools.generate(from: host, reserved: Set(hostTools.map(\.name)))
        return MCPToolCatalog(tools: generated + hostTools, eventSequence: eventSequence)
    }
}
