/// Where everything goes: node frames, edge polylines with their label positions, group
/// frames and the canvas size. Shared by the SVG and Excalidraw renderers (Mermaid lays
/// itself out), computed by ``init(graph:)`` in a fixed order so the same graph always gives
/// byte-identical coordinates (every coordinate is rounded to whole pixels).
struct DiagramLayout: Sendable {
    /// One edge's drawing.
    struct EdgeRoute: Sendable {
        /// From the source's border to the target's border, in arrow direction.
        var points: [LayoutPoint]
        /// The label's box, centred on the route; `nil` when the edge has no label.
        var labelFrame: LayoutRect?
    }

    var width: Double
    var height: Double
    /// The diagram title's box at the top; `nil` without a title.
    var titleFrame: LayoutRect?
    /// By node index.
    var nodeFrames: [LayoutRect]
    /// By edge index.
    var edgeRoutes: [EdgeRoute]
    /// By group index; `nil` for a group without members.
    var groupFrames: [LayoutRect?]

    /// Margin around the drawing.
    static let margin = 24.0
    static let titleHeight = 32.0

    /// Lays out `graph` (already validated: every edge end names a node).
    init(graph: DiagramGraph) {
        let sizes = graph.nodes.map(Self.nodeSize)
        let labelSizes = graph.edges.map { edge in edge.label.map { Self.labelSize($0) } }
        var layered = LayeredGraph(graph: graph, sizes: sizes, labelSizes: labelSizes)
        layered.reduceCrossings()
        let ranks = layered.groupRanks()
        layered.alignGroupOrder(ranks: ranks)
        let topDown = graph.direction == .topDown

        // Order axis (x in TD, y in LR).
        let breadth: (Int) -> Double = { topDown ? layered.vertices[$0].width : layered.vertices[$0].height }
        let depth: (Int) -> Double = { topDown ? layered.vertices[$0].height : layered.vertices[$0].width }
        var along = layered.orderPositions(breadth: breadth)
        layered.separateGroupColumns(&along, ranks: ranks, breadth: breadth)

        // Layer axis: each layer as thick as its thickest vertex; each gap wide enough for the
        // labels placed in it.
        let labelSegments = layered.chains.map { ($0.vertices.count - 2) / 2 }
        var gapExtra = Array(repeating: 0.0, count: max(layered.layers.count, 1))
        for (chainIndex, chain) in layered.chains.enumerated() {
            guard let size = labelSizes[chain.edgeIndex], LayeredGraph.labelVertex(of: chain) == nil else { continue }
            let gap = layered.vertices[chain.vertices[labelSegments[chainIndex]]].layer
            gapExtra[gap] = max(gapExtra[gap], (topDown ? size.height : size.width) + 8)
        }
        var layerCenter: [Double] = []
        var cursor = 0.0
        for (index, layer) in layered.layers.enumerated() {
            let thickness = layer.map(depth).max() ?? 0
            if index > 0 { cursor += Self.groupGapAllowance + LayeredGraph.layerGap + gapExtra[index - 1] }
            layerCenter.append(cursor + thickness / 2)
            cursor += thickness
        }
        let centers = layered.vertices.indices.map { vertex -> LayoutPoint in
            let across = layerCenter[layered.vertices[vertex].layer]
            return topDown ? LayoutPoint(x: along[vertex], y: across) : LayoutPoint(x: across, y: along[vertex])
        }
        var frames = graph.nodes.indices.map { node in
            LayoutRect(x: centers[node].x - sizes[node].width / 2, y: centers[node].y - sizes[node].height / 2,
                       width: sizes[node].width, height: sizes[node].height)
        }
        var routes = Self.routes(graph: graph, layered: layered, centers: centers, frames: frames,
                                 labelSegments: labelSegments, labelSizes: labelSizes, topDown: topDown)
        var groups = Self.groupFrames(graph: graph, frames: frames)

        // Move everything so the drawing starts at the margin (below the title).
        var bounds = frames.reduce(LayoutRect?.none) { $0?.union($1) ?? $1 }
        for frame in groups.compactMap({ $0 }) { bounds = bounds?.union(frame) ?? frame }
        for route in routes {
            for point in route.points {
                let dot = LayoutRect(x: point.x, y: point.y, width: 0, height: 0)
                bounds = bounds?.union(dot) ?? dot
            }
            if let label = route.labelFrame { bounds = bounds?.union(label) ?? label }
        }
        let content = bounds ?? LayoutRect(x: 0, y: 0, width: 0, height: 0)
        let top = Self.margin + (graph.title == nil ? 0 : Self.titleHeight)
        let dx = Self.margin - content.x, dy = top - content.y
        frames = frames.map { Self.rounded($0, dx: dx, dy: dy) }
        groups = groups.map { $0.map { Self.rounded($0, dx: dx, dy: dy) } }
        routes = routes.map { route in
            EdgeRoute(points: route.points.map { LayoutPoint(x: ($0.x + dx).rounded(), y: ($0.y + dy).rounded()) },
                      labelFrame: route.labelFrame.map { Self.rounded($0, dx: dx, dy: dy) })
        }
        let width = (content.width + 2 * Self.margin).rounded(.up)
        let titleWidth = graph.title.map { TextMetrics.size(of: [$0], fontSize: TextMetrics.titleFontSize).width } ?? 0
        self.width = max(width, (titleWidth + 2 * Self.margin).rounded(.up), 120)
        self.height = max((content.height + top + Self.margin).rounded(.up), 80)
        self.titleFrame = graph.title == nil ? nil
            : LayoutRect(x: Self.margin, y: Self.margin, width: self.width - 2 * Self.margin, height: Self.titleHeight - 8)
        self.nodeFrames = frames
        self.edgeRoutes = routes
        self.groupFrames = groups
    }

    /// Extra layer spacing so a group's title fits between layers.
    static let groupGapAllowance = 8.0

    /// The frame of every group: its members' frames, padded, with room for the title on top.
    private static func groupFrames(graph: DiagramGraph, frames: [LayoutRect]) -> [LayoutRect?] {
        var union: [String: LayoutRect] = [:]
        for (index, node) in graph.nodes.enumerated() {
            guard let group = node.group else { continue }
            union[group] = union[group]?.union(frames[index]) ?? frames[index]
        }
        return graph.groups.map { group in
            guard let members = union[group.id] else { return nil }
            let titleWidth = TextMetrics.size(of: TextMetrics.lines(group.label).prefix(1).map { $0 },
                                              fontSize: TextMetrics.titleFontSize).width
            let padding = LayeredGraph.groupPadding - 4
            let width = max(members.width + 2 * padding, titleWidth + 2 * padding)
            return LayoutRect(x: members.midX - width / 2, y: members.y - padding - LayeredGraph.groupTitleHeight,
                              width: width, height: members.height + 2 * padding + LayeredGraph.groupTitleHeight)
        }
    }

    private static func rounded(_ rect: LayoutRect, dx: Double, dy: Double) -> LayoutRect {
        LayoutRect(x: (rect.x + dx).rounded(), y: (rect.y + dy).rounded(),
                   width: rect.width.rounded(), height: rect.height.rounded())
    }
}
