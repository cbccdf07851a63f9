#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import PluginKit

/// The diagram generator: capabilities `adapter:diagram:mermaid`, `adapter:diagram:excalidraw`
/// and `adapter:diagram:svg`, each with `render` (any node/edge graph), `render_workflow`
/// (a seed-001 workflow, JSON or YAML) and `render_capabilities` (the host's live slots).
///
/// Pure computation with no state, so it declares ``PluginFlags/threadSafe``.
public final class DiagramPlugin: CapabilityPlugin {
    /// The descriptor: one capability per output format, the same three methods on each.
    public static let manifest = PluginManifest(
        name: "diagram", version: "1.0.0", vendor: "caphost",
        flags: [.threadSafe, .parallelCreate],
        capabilities: DiagramFormat.allCases.map { format in
            Capability(domain: "adapter", category: "diagram", provider: format.rawValue,
                       priority: format == .mermaid ? 10 : 0, stackLevel: 0,
                       description: "Renders graphs, workflows and the capability graph as \(format.rawValue)",
                       methods: DiagramMethods.all)
        })

    private let context: PluginContext

    /// Keeps the context: `render_capabilities` asks the host for its slots through it.
    public init(context: PluginContext) throws {
        self.context = context
    }

    /// Decodes the payload, builds the graph for the method and renders it in the format of
    /// the capability the call was routed to.
    public func invoke(_ request: PluginRequest) async throws -> PluginResponse {
        guard let format = DiagramFormat(rawValue: request.capability.provider) else {
            throw PluginError.unimplemented(request)
        }
        let payload = try Self.payload(of: request)
        let graph: DiagramGraph
        switch request.method {
        case "render":
            graph = try DiagramGraph(payload: try payload.required("graph", expected: "a graph object"),
                                     title: try payload.member("title")?.string())
        case "render_workflow":
            graph = try WorkflowDiagram.graph(payload: payload)
        case "render_capabilities":
            graph = try CapabilityDiagram.graph(try context.capabilityGraph(), payload: payload)
        default:
            throw PluginError.unimplemented(request)
        }
        try request.checkDeadline()
        return try .json(DiagramOutput(format: format, graph: graph))
    }

    /// The payload as a JSON object with paths for error messages; an empty payload reads as `{}`.
    static func payload(of request: PluginRequest) throws(PluginError) -> PayloadField {
        let bytes = request.payload.isEmpty ? Array("{}".utf8) : request.payload
        let value: PayloadValue
        do {
            value = try JSONDecoder().decode(PayloadValue.self, from: Data(bytes))
        } catch {
            throw .invalidArgument("\(request.method): the payload is not valid JSON (\(error))")
        }
        let field = PayloadField(value, path: "payload")
        _ = try field.object()
        return field
    }
}

/// The one symbol the host looks up.
@_cdecl("cap_plugin_entry_v1")
public func capPluginEntry() -> UnsafeRawPointer { PluginExport.descriptor(for: DiagramPlugin.self) }
