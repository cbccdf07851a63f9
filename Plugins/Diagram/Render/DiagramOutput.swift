/// The response of every method: `{"format", "mediaType", "content", "nodes", "edges"}`.
struct DiagramOutput: Encodable, Sendable {
    var format: String
    var mediaType: String
    /// The diagram text (for Excalidraw, the `.excalidraw` JSON document as text).
    var content: String
    /// How many nodes and edges the graph had (dummy layout nodes not counted).
    var nodes: Int
    var edges: Int

    init(format: DiagramFormat, graph: DiagramGraph) {
        self.format = format.rawValue
        self.mediaType = format.mediaType
        self.content = format.render(graph)
        self.nodes = graph.nodes.count
        self.edges = graph.edges.count
    }
}
