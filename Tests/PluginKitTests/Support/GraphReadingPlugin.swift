import PluginKit

/// Answers `graph` with what ``PluginContext/capabilityGraph()`` read, flattened to one line per
/// candidate, or the error it threw.
final class GraphReadingPlugin: CapabilityPlugin {
    static let manifest = PluginManifest(
        name: "graph-reader", version: "1.0.0", vendor: "PluginKit tests",
        flags: [.threadSafe],
        capabilities: [
            Capability(domain: "adapter", category: "graphs", provider: "kit",
                       methods: [CapabilityMethod(name: "graph", description: "Returns the host's capability graph, flattened")]),
        ])

    private let context: PluginContext

    init(context: PluginContext) throws { self.context = context }

    func invoke(_ request: PluginRequest) async throws -> PluginResponse {
        let graph = try context.capabilityGraph()
        let lines = graph.slots.flatMap { slot in
            slot.candidates.map { "\(slot.name) \(slot.active ?? "-") \($0.provider) \($0.status) \($0.breaker) \($0.score)" }
        }
        return try .json(["offered": context.offers(.capabilityGraph) ? "yes" : "no", "lines": lines.joined(separator: "; ")])
    }
}
