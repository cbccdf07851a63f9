extension DiagramLayout {
    /// Polylines for every edge: through the dummies of its chain, leaving and entering nodes on
    /// the sides that face the neighbouring layers. Rectangular nodes spread their ports along
    /// the side (ordered by where the edge goes, so fanned-out edges do not cross at the node).
    static func routes(graph: DiagramGraph, layered: LayeredGraph, centers: [LayoutPoint], frames: [LayoutRect],
                       labelSegments: [Int], labelSizes: [(width: Double, height: Double)?],
                       topDown: Bool) -> [EdgeRoute] {
        var routes = Array(repeating: EdgeRoute(points: [], labelFrame: nil), count: graph.edges.count)
        let along: (LayoutPoint) -> Double = { topDown ? $0.x : $0.y }

        // Ports: per real node, the chains leaving downward and arriving from above, in the
        // order of the vertex at their other end.
        var downward: [Int: [(chain: Int, key: Double)]] = [:]
        var upward: [Int: [(chain: Int, key: Double)]] = [:]
        for (index, chain) in layered.chains.enumerated() {
            let first = chain.vertices[0], second = chain.vertices[1]
            let last = chain.vertices[chain.vertices.count - 1], beforeLast = chain.vertices[chain.vertices.count - 2]
            downward[first, default: []].append((index, along(centers[second])))
            upward[last, default: []].append((index, along(centers[beforeLast])))
        }
        func port(node: Int, chain: Int, ports: [Int: [(chain: Int, key: Double)]], bottomSide: Bool) -> LayoutPoint {
            let frame = frames[node]
            let list = (ports[node] ?? []).sorted { ($0.key, $0.chain) < ($1.key, $1.chain) }
            let slot = Double(list.firstIndex { $0.chain == chain } ?? 0)
            let rectangular = [.box, .round, .stadium, .database].contains(graph.nodes[node].kind)
            let side = topDown ? frame.width : frame.height
            let spacing = rectangular && list.count > 1 ? min(16, side * 0.6 / Double(list.count - 1)) : 0
            let offset = (slot - Double(list.count - 1) / 2) * spacing
            if topDown {
                return LayoutPoint(x: frame.midX + offset, y: bottomSide ? frame.maxY : frame.y)
            }
            return LayoutPoint(x: bottomSide ? frame.maxX : frame.x, y: frame.midY + offset)
        }

        for (index, chain) in layered.chains.enumerated() {
            var points = chain.vertices.map { centers[$0] }
            points[0] = port(node: chain.vertices[0], chain: index, ports: downward, bottomSide: true)
            points[points.count - 1] = port(node: chain.vertices[chain.vertices.count - 1], chain: index,
                                            ports: upward, bottomSide: false)
            var labelFrame: LayoutRect?
            if let size = labelSizes[chain.edgeIndex], let vertex = LayeredGraph.labelVertex(of: chain) {
                labelFrame = LayoutRect(x: centers[vertex].x - size.width / 2, y: centers[vertex].y - size.height / 2,
                                        width: size.width, height: size.height)
            } else if let size = labelSizes[chain.edgeIndex] {
                let segment = labelSegments[index]
                let start = points[segment], end = points[segment + 1]
                labelFrame = LayoutRect(x: (start.x + end.x) / 2 - size.width / 2, y: (start.y + end.y) / 2 - size.height / 2,
                                        width: size.width, height: size.height)
            }
            routes[chain.edgeIndex] = EdgeRoute(points: chain.reversed ? points.reversed() : points, labelFrame: labelFrame)
        }

        // Self-loops: out of the far side and back in, beside the node.
        var index: [String: Int] = [:]
        for (position, node) in graph.nodes.enumerated() { index[node.id] = position }
        for (edgeIndex, edge) in graph.edges.enumerated() where edge.from == edge.to {
            guard let node = index[edge.from] else { continue }
            let frame = frames[node]
            let points: [LayoutPoint]
            if topDown {
                let quarter = frame.height / 4, outside = frame.maxX + 24
                points = [LayoutPoint(x: frame.maxX, y: frame.midY - quarter), LayoutPoint(x: outside, y: frame.midY - quarter),
                          LayoutPoint(x: outside, y: frame.midY + quarter), LayoutPoint(x: frame.maxX, y: frame.midY + quarter)]
            } else {
                let quarter = frame.width / 4, outside = frame.maxY + 24
                points = [LayoutPoint(x: frame.midX - quarter, y: frame.maxY), LayoutPoint(x: frame.midX - quarter, y: outside),
                          LayoutPoint(x: frame.midX + quarter, y: outside), LayoutPoint(x: frame.midX + quarter, y: frame.maxY)]
            }
            let labelFrame = labelSizes[edgeIndex].map { size in
                topDown
                    ? LayoutRect(x: frame.maxX + 28, y: frame.midY - size.height / 2, width: size.width, height: size.height)
                    : LayoutRect(x: frame.midX - size.width / 2, y: frame.maxY + 28, width: size.width, height: size.height)
            }
            routes[edgeIndex] = EdgeRoute(points: points, labelFrame: labelFrame)
        }
        return routes
    }
}
