/// The graph the layered (Sugiyama-style) layout works on: cycles broken, every node on a
/// layer by longest path, and each edge longer than one layer split by dummy nodes so that
/// every segment joins neighbouring layers.
///
/// Everything is decided in a fixed order (nodes by id, edges by index), so the same graph
/// always gets the same layers.
struct LayeredGraph: Sendable {
    /// A real node (index < ``realCount``) or a dummy on a long edge.
    struct Vertex: Sendable {
        var layer: Int
        /// Size along the layer axis and the order axis is worked out by the caller.
        var width: Double
        var height: Double
        /// Tie-break key: the node id for real nodes, the edge's ends for dummies.
        var key: String
        /// Group id for real grouped nodes; dummies and ungrouped nodes have none.
        var group: String?
        /// A dummy sized to carry its edge's label (spaced like a node, not like a bare edge).
        var carriesLabel = false
    }

    /// One edge of the original graph as a chain of vertices, first to last, in the layered
    /// (downward) direction.
    struct Chain: Sendable {
        var edgeIndex: Int
        var vertices: [Int]
        /// The original edge points against the layering (it closed a cycle).
        var reversed: Bool
    }

    var vertices: [Vertex]
    let realCount: Int
    /// One chain per non-self-loop edge; self-loops are routed separately.
    var chains: [Chain]
    /// Vertex indices per layer, in the current order.
    var layers: [[Int]]
    /// Neighbours one layer up and one layer down, for barycenters.
    var above: [[Int]]
    var below: [[Int]]

    /// Layers `graph`; `sizes[i]` is node i's drawn size. A labelled edge that spans dummies
    /// gives its middle dummy the label's size (``labelVertex(of:)``), so the label gets room
    /// in its layer instead of landing on a neighbour.
    init(graph: DiagramGraph, sizes: [(width: Double, height: Double)], labelSizes: [(width: Double, height: Double)?]) {
        let count = graph.nodes.count
        realCount = count
        var index: [String: Int] = [:]
        for (position, node) in graph.nodes.enumerated() { index[node.id] = position }
        let byID = graph.nodes.indices.sorted { graph.nodes[$0].id < graph.nodes[$1].id }

        // Outgoing edges per node, targets in id order, self-loops left out.
        var outgoing = Array(repeating: [(target: Int, edge: Int)](), count: count)
        for (edgeIndex, edge) in graph.edges.enumerated() {
            guard let from = index[edge.from], let to = index[edge.to], from != to else { continue }
            outgoing[from].append((to, edgeIndex))
        }
        for node in 0..<count {
            outgoing[node].sort { (graph.nodes[$0.target].id, $0.edge) < (graph.nodes[$1.target].id, $1.edge) }
        }
        let reversedEdges = Self.backEdges(outgoing: outgoing, order: byID)

        // Directed acyclic edges (after reversal) and longest-path layers from the sources.
        var dagEdges: [(from: Int, to: Int, edge: Int, reversed: Bool)] = []
        for node in 0..<count {
            for (target, edgeIndex) in outgoing[node] {
                let reversed = reversedEdges.contains(edgeIndex)
                dagEdges.append(reversed ? (target, node, edgeIndex, true) : (node, target, edgeIndex, false))
            }
        }
        dagEdges.sort { $0.edge < $1.edge }
        var layer = Array(repeating: 0, count: count)
        var indegree = Array(repeating: 0, count: count)
        var successors = Array(repeating: [Int](), count: count)
        for edge in dagEdges {
            indegree[edge.to] += 1
            successors[edge.from].append(edge.to)
        }
        var ready = byID.filter { indegree[$0] == 0 }.reversed() as [Int]
        while let node = ready.popLast() {
            for next in successors[node] {
                layer[next] = max(layer[next], layer[node] + 1)
                indegree[next] -= 1
                if indegree[next] == 0 { ready.append(next) }
            }
        }

        vertices = (0..<count).map { node in
            Vertex(layer: layer[node], width: sizes[node].width, height: sizes[node].height,
                   key: graph.nodes[node].id, group: graph.nodes[node].group)
        }
        chains = []
        for edge in dagEdges {
            var chain = [edge.from]
            let original = graph.edges[edge.edge]
            for step in stride(from: layer[edge.from] + 1, to: layer[edge.to], by: 1) {
                chain.append(vertices.count)
                vertices.append(Vertex(layer: step, width: Self.dummySize, height: Self.dummySize,
                                       key: "\u{10FFFF}\(original.from)\u{1}\(original.to)\u{1}\(edge.edge)", group: nil))
            }
            chain.append(edge.to)
            let made = Chain(edgeIndex: edge.edge, vertices: chain, reversed: edge.reversed)
            if let vertex = Self.labelVertex(of: made), let size = labelSizes[edge.edge] {
                vertices[vertex].width = size.width
                vertices[vertex].height = size.height
                vertices[vertex].carriesLabel = true
            }
            chains.append(made)
        }

        let layerCount = (vertices.map(\.layer).max() ?? -1) + 1
        layers = Array(repeating: [], count: layerCount)
        above = Array(repeating: [], count: vertices.count)
        below = Array(repeating: [], count: vertices.count)
        for chain in chains {
            for (upper, lower) in zip(chain.vertices, chain.vertices.dropFirst()) {
                below[upper].append(lower)
                above[lower].append(upper)
            }
        }
        // Initial order within a layer: grouped nodes together, then by key.
        for vertex in vertices.indices { layers[vertices[vertex].layer].append(vertex) }
        for position in layers.indices {
            layers[position].sort { (vertices[$0].group ?? "\u{10FFFF}", vertices[$0].key) < (vertices[$1].group ?? "\u{10FFFF}", vertices[$1].key) }
        }
    }

    /// The middle dummy of a chain, which carries the edge's label; `nil` for a chain without
    /// dummies (its label sits in the gap between the two layers).
    static func labelVertex(of chain: Chain) -> Int? {
        chain.vertices.count >= 3 ? chain.vertices[(chain.vertices.count - 1) / 2] : nil
    }

    /// A dummy's size: room for an edge passing through a layer.
    static let dummySize = 12.0

    /// Edges to reverse so the graph has no cycle: the greedy feedback-arc heuristic of Eades,
    /// Lin and Smyth (peel off sinks and sources, else the node with the most surplus of
    /// outgoing edges, ties by id), which reverses far fewer edges than a depth-first search
    /// and so keeps the layering shallow. An edge reversed is one pointing back in that order.
    private static func backEdges(outgoing: [[(target: Int, edge: Int)]], order: [Int]) -> Set<Int> {
        let count = outgoing.count
        var incoming = Array(repeating: [Int](), count: count)
        var outDegree = Array(repeating: 0, count: count), inDegree = Array(repeating: 0, count: count)
        for node in 0..<count {
            for (target, _) in outgoing[node] {
                incoming[target].append(node)
                outDegree[node] += 1
                inDegree[target] += 1
            }
        }
        var removed = Array(repeating: false, count: count)
        var left: [Int] = [], right: [Int] = []
        var remaining = count
        func remove(_ node: Int) {
            removed[node] = true
            remaining -= 1
            for (target, _) in outgoing[node] { inDegree[target] -= 1 }
            for source in incoming[node] { outDegree[source] -= 1 }
        }
        while remaining > 0 {
            var changed = true
            while changed {
                changed = false
                for node in order where !removed[node] && outDegree[node] == 0 {
                    remove(node); right.append(node); changed = true
                }
                for node in order where !removed[node] && inDegree[node] == 0 {
                    remove(node); left.append(node); changed = true
                }
            }
            guard remaining > 0 else { break }
            var best = -1
            for node in order where !removed[node] {
                if best < 0 || outDegree[node] - inDegree[node] > outDegree[best] - inDegree[best] { best = node }
            }
            remove(best)
            left.append(best)
        }
        var position = Array(repeating: 0, count: count)
        for (index, node) in (left + right.reversed()).enumerated() { position[node] = index }
        var back = Set<Int>()
        for node in 0..<count {
            for (target, edge) in outgoing[node] where position[node] > position[target] { back.insert(edge) }
        }
        return back
    }
}
