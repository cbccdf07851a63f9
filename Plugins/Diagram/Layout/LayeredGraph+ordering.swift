extension LayeredGraph {
    /// Number of barycenter sweeps (alternately down and up). Fixed, so the result does not
    /// depend on timing, and enough for crossings to settle on graphs of a few hundred nodes.
    static let orderingSweeps = 12

    /// Reduces edge crossings: each sweep re-sorts every layer by the mean position of its
    /// neighbours in the layer just fixed, keeping the members of a group next to each other;
    /// the ordering with the fewest crossings seen wins (ties: the earlier one).
    mutating func reduceCrossings() {
        guard layers.count > 1 else { return }
        var best = layers
        var bestCrossings = crossings()
        for sweep in 0..<Self.orderingSweeps {
            let downward = sweep % 2 == 0
            let order = downward ? Array(1..<layers.count) : Array((0..<(layers.count - 1)).reversed())
            for layer in order {
                sortByBarycenter(layer: layer, fixed: downward ? layer - 1 : layer + 1, neighbours: downward ? above : below)
            }
            let count = crossings()
            if count < bestCrossings {
                best = layers
                bestCrossings = count
            }
            if bestCrossings == 0 { break }
        }
        layers = best
    }

    /// Sorts `layer` by barycenters against `fixed`; a group's members move as one block
    /// placed at their mean barycenter.
    private mutating func sortByBarycenter(layer: Int, fixed: Int, neighbours: [[Int]]) {
        var position: [Int: Double] = [:]
        for (slot, vertex) in layers[fixed].enumerated() { position[vertex] = Double(slot) }
        var barycenter: [Int: Double] = [:]
        for (slot, vertex) in layers[layer].enumerated() {
            let placed = neighbours[vertex].compactMap { position[$0] }
            barycenter[vertex] = placed.isEmpty ? Double(slot) : placed.reduce(0, +) / Double(placed.count)
        }
        // Blocks: one per group present in the layer, one per other vertex.
        var blocks: [String: [Int]] = [:]
        for vertex in layers[layer] {
            let key = vertices[vertex].group.map { "g\u{1}" + $0 } ?? "v\u{1}" + vertices[vertex].key
            blocks[key, default: []].append(vertex)
        }
        let sortedBlocks = blocks.map { key, members in
            (key: key, center: members.map { barycenter[$0]! }.reduce(0, +) / Double(members.count), members: members)
        }.sorted { ($0.center, $0.key) < ($1.center, $1.key) }
        layers[layer] = sortedBlocks.flatMap { block in
            block.members.sorted { (barycenter[$0]!, vertices[$0].key) < (barycenter[$1]!, vertices[$1].key) }
        }
    }

    /// Total crossings between all pairs of neighbouring layers.
    func crossings() -> Int {
        var total = 0
        for layer in 0..<max(layers.count - 1, 0) {
            total += crossings(between: layer)
        }
        return total
    }

    /// Crossings between `layer` and the next one: segments sorted by upper position, then an
    /// inversion count of the lower positions with a Fenwick tree (O(E log V)).
    private func crossings(between layer: Int) -> Int {
        var lowerPosition: [Int: Int] = [:]
        for (slot, vertex) in layers[layer + 1].enumerated() { lowerPosition[vertex] = slot }
        var lowers: [Int] = []
        for vertex in layers[layer] {
            lowers.append(contentsOf: below[vertex].compactMap { lowerPosition[$0] }.sorted())
        }
        let size = layers[layer + 1].count
        var tree = Array(repeating: 0, count: size + 1)
        var count = 0
        for (seen, lower) in lowers.enumerated() {
            // Segments already seen that end strictly right of `lower` cross this one.
            var index = lower + 1, notGreater = 0
            while index > 0 { notGreater += tree[index]; index -= index & -index }
            count += seen - notGreater
            index = lower + 1
            while index <= size { tree[index] += 1; index += index & -index }
        }
        return count
    }
}
