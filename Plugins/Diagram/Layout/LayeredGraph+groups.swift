extension LayeredGraph {
    /// Groups ranked left to right (top to bottom in LR) by the mean relative position of their
    /// members over all layers, ties by id.
    func groupRanks() -> [String: Int] {
        var sums: [String: (total: Double, count: Int)] = [:]
        for layer in layers {
            for (slot, vertex) in layer.enumerated() {
                guard let group = vertices[vertex].group else { continue }
                let relative = layer.count > 1 ? Double(slot) / Double(layer.count - 1) : 0.5
                sums[group, default: (0, 0)].total += relative
                sums[group, default: (0, 0)].count += 1
            }
        }
        let ordered = sums.map { (group: $0.key, mean: $0.value.total / Double($0.value.count)) }
            .sorted { ($0.mean, $0.group) < ($1.mean, $1.group) }
        var ranks: [String: Int] = [:]
        for (rank, entry) in ordered.enumerated() { ranks[entry.group] = rank }
        return ranks
    }

    /// Puts the groups of every layer in the same order (their rank), leaving ungrouped
    /// vertices where the crossing reduction put them, so group frames can become columns.
    mutating func alignGroupOrder(ranks: [String: Int]) {
        for index in layers.indices {
            let layer = layers[index]
            // Slots where group blocks start, and the blocks themselves.
            var blocks: [(group: String, members: [Int])] = []
            var pattern: [Int?] = []  // nil: an ungrouped vertex; n: the n-th group block
            for vertex in layer {
                if let group = vertices[vertex].group {
                    if let last = blocks.last, last.group == group, pattern.last == .some(blocks.count - 1) {
                        blocks[blocks.count - 1].members.append(vertex)
                        continue
                    }
                    blocks.append((group, [vertex]))
                    pattern.append(blocks.count - 1)
                } else {
                    pattern.append(nil)
                }
            }
            let sorted = blocks.sorted { (ranks[$0.group] ?? 0, $0.group) < (ranks[$1.group] ?? 0, $1.group) }
            var rebuilt: [Int] = []
            var next = 0
            var ungrouped = layer.filter { vertices[$0].group == nil }.makeIterator()
            for entry in pattern {
                if entry == nil {
                    if let vertex = ungrouped.next() { rebuilt.append(vertex) }
                } else {
                    rebuilt.append(contentsOf: sorted[next].members)
                    next += 1
                }
            }
            layers[index] = rebuilt
        }
    }

    /// Moves groups apart along the order axis until their extents over all layers no longer
    /// overlap: each group, in rank order, is pushed past the ones before it by shifting, in
    /// every layer, everything from its first vertex (or the first vertex of a later group) on.
    func separateGroupColumns(_ position: inout [Double], ranks: [String: Int], breadth: (Int) -> Double) {
        let ordered = ranks.sorted { $0.value < $1.value }.map(\.key)
        var right = -Double.infinity
        for group in ordered {
            var left = Double.infinity, far = -Double.infinity
            for vertex in 0..<realCount where vertices[vertex].group == group {
                left = min(left, position[vertex] - breadth(vertex) / 2)
                far = max(far, position[vertex] + breadth(vertex) / 2)
            }
            let needed = right + 2 * Self.groupPadding + Self.nodeGap - left
            if right.isFinite && needed > 0 {
                let rank = ranks[group] ?? 0
                for layer in layers {
                    guard let start = layer.firstIndex(where: { vertex in
                        vertices[vertex].group.map { (ranks[$0] ?? 0) >= rank } ?? false
                    }) else { continue }
                    for vertex in layer[start...] { position[vertex] += needed }
                }
                far += needed
            }
            right = max(right, far)
        }
    }
}
