/// The three output formats, one per capability (`adapter:diagram:<format>`).
enum DiagramFormat: String, Sendable, CaseIterable {
    case mermaid, excalidraw, svg

    /// The media type of ``DiagramOutput/content``.
    var mediaType: String {
        switch self {
        case .mermaid: "text/vnd.mermaid"
        case .excalidraw: "application/vnd.excalidraw+json"
        case .svg: "image/svg+xml"
        }
    }

    /// The diagram text for `graph` in this format.
    func render(_ graph: DiagramGraph) -> String {
        switch self {
        case .mermaid: MermaidRenderer.render(graph)
        case .excalidraw: ExcalidrawRenderer.render(graph, layout: DiagramLayout(graph: graph))
        case .svg: SVGRenderer.render(graph, layout: DiagramLayout(graph: graph))
        }
    }
}
