/// Writes a laid-out graph as an `.excalidraw` document (REFERENCE §5): every label is a
/// text element bound to its container (the container lists it in `boundElements`), every
/// arrow is bound at both ends in the `{elementId, focus, gap}` form and listed by both boxes.
/// Ids, seeds, nonces, versions and timestamps derive from the graph, so the same graph gives
/// the same bytes.
enum ExcalidrawRenderer {
    /// The document as JSON text.
    static func render(_ graph: DiagramGraph, layout: DiagramLayout) -> String {
        var scene = ExcalidrawScene(fingerprint: graph.fingerprint)
        if let title = graph.title, let frame = layout.titleFrame {
            scene.addText(id: "title", text: TextMetrics.lines(title).joined(separator: " "),
                          at: frame, align: "left", fontSize: TextMetrics.titleFontSize, containerID: nil)
        }
        for (index, group) in graph.groups.enumerated() {
            guard let frame = layout.groupFrames[index] else { continue }
            scene.addShape(id: "group-\(index)", type: "rectangle", frame: frame, fill: TonePalette.groupFill,
                           stroke: TonePalette.groupStroke, strokeStyle: "dashed", rounded: true)
            let title = TextMetrics.lines(group.label).joined(separator: " ")
            let size = TextMetrics.size(of: [title], fontSize: TextMetrics.titleFontSize)
            scene.addText(id: "group-\(index)-title", text: title,
                          at: LayoutRect(x: frame.x + 10, y: frame.y + 4, width: size.width, height: size.height),
                          align: "left", fontSize: TextMetrics.titleFontSize, containerID: nil)
        }
        for (index, node) in graph.nodes.enumerated() {
            let frame = layout.nodeFrames[index]
            let palette = TonePalette(node.tone)
            let type = switch node.kind {
            case .box, .round, .stadium, .database: "rectangle"
            case .circle: "ellipse"
            case .decision: "diamond"
            }
            scene.addShape(id: "node-\(index)", type: type, frame: frame, fill: palette.fill, stroke: palette.stroke,
                           strokeStyle: "solid", rounded: node.kind != .box && type == "rectangle")
            let lines = TextMetrics.lines(node.label)
            let size = TextMetrics.size(of: lines)
            scene.addText(id: "node-\(index)-label", text: lines.joined(separator: "\n"),
                          at: LayoutRect(x: frame.midX - size.width / 2, y: frame.midY - size.height / 2,
                                         width: size.width, height: size.height),
                          align: "center", fontSize: TextMetrics.fontSize, containerID: "node-\(index)")
        }
        var nodeIndex: [String: Int] = [:]
        for (index, node) in graph.nodes.enumerated() { nodeIndex[node.id] = index }
        for (index, edge) in graph.edges.enumerated() {
            let route = layout.edgeRoutes[index]
            guard let from = nodeIndex[edge.from], let to = nodeIndex[edge.to], route.points.count >= 2 else { continue }
            scene.addArrow(id: "edge-\(index)", points: route.points, from: "node-\(from)", to: "node-\(to)", style: edge.style)
            if let label = edge.label, let frame = route.labelFrame {
                let lines = TextMetrics.lines(label)
                let size = TextMetrics.size(of: lines)
                scene.addText(id: "edge-\(index)-label", text: lines.joined(separator: "\n"),
                              at: LayoutRect(x: frame.midX - size.width / 2, y: frame.midY - size.height / 2,
                                             width: size.width, height: size.height),
                              align: "center", fontSize: TextMetrics.fontSize, containerID: "edge-\(index)")
            }
        }
        return scene.document()
    }
}
