extension LayeredGraph {
    /// Space between neighbours in a layer, and the extra space on each side of a group frame.
    static let nodeGap = 28.0
    static let dummyGap = 10.0
    static let groupPadding = 16.0
    /// Room above a group's members for its title.
    static let groupTitleHeight = 24.0
    /// Space between layers before edge labels ask for more.
    static let layerGap = 56.0
    /// Position passes (alternately against the layer above and below, then both).
    static let positionPasses = 8

    /// Positions of every vertex along the order axis (x in TD, y in LR): each pass moves
    /// vertices as close as the minimum separations allow to the mean of their neighbours
    /// (a weighted isotonic regression, solved exactly by pool-adjacent-violators).
    func orderPositions(breadth: (Int) -> Double) -> [Double] {
        var position = Array(repeating: 0.0, count: vertices.count)
        for layer in layers {
            var cursor = 0.0
            for (slot, vertex) in layer.enumerated() {
                if slot > 0 { cursor += separation(layer[slot - 1], vertex, breadth: breadth) }
                position[vertex] = cursor
            }
            for vertex in layer { position[vertex] -= cursor / 2 }
        }
        guard layers.count > 1 else { return position }
        for pass in 0..<Self.positionPasses {
            let both = pass >= Self.positionPasses - 2
            let downward = pass % 2 == 0
            let order = downward ? Array(layers.indices) : Array(layers.indices.reversed())
            for layer in order {
                let members = layers[layer]
                guard !members.isEmpty else { continue }
                let desired = members.map { vertex -> Double in
                    let neighbours = both ? above[vertex] + below[vertex] : (downward ? above[vertex] : below[vertex])
                    guard !neighbours.isEmpty else { return position[vertex] }
                    return neighbours.map { position[$0] }.reduce(0, +) / Double(neighbours.count)
                }
                let weights = members.map { $0 >= realCount ? 2.0 : 1.0 }
                var gaps: [Double] = []
                for slot in members.indices.dropFirst() {
                    gaps.append(separation(members[slot - 1], members[slot], breadth: breadth))
                }
                let placed = Self.isotonicPlacement(desired: desired, weights: weights, gaps: gaps)
                for (slot, vertex) in members.enumerated() { position[vertex] = placed[slot] }
            }
        }
        return position
    }

    /// Minimum distance between the centres of neighbours `left` and `right`.
    func separation(_ left: Int, _ right: Int, breadth: (Int) -> Double) -> Double {
        let bothDummies = left >= realCount && right >= realCount
            && !vertices[left].carriesLabel && !vertices[right].carriesLabel
        var gap = bothDummies ? Self.dummyGap : Self.nodeGap
        let leftGroup = vertices[left].group, rightGroup = vertices[right].group
        if leftGroup != rightGroup {
            gap += (leftGroup == nil ? 0 : Self.groupPadding) + (rightGroup == nil ? 0 : Self.groupPadding)
        }
        return breadth(left) / 2 + gap + breadth(right) / 2
    }

    /// The positions closest (weighted least squares) to `desired` with `x[i+1] - x[i] >= gaps[i]`.
    static func isotonicPlacement(desired: [Double], weights: [Double], gaps: [Double]) -> [Double] {
        var offsets = [0.0]
        for gap in gaps { offsets.append(offsets[offsets.count - 1] + gap) }
        // Substituting y = x - offset turns the gaps into "y non-decreasing".
        var blocks: [(sum: Double, weight: Double, count: Int)] = []
        for index in desired.indices {
            blocks.append((weights[index] * (desired[index] - offsets[index]), weights[index], 1))
            while blocks.count > 1 {
                let last = blocks[blocks.count - 1], previous = blocks[blocks.count - 2]
                guard previous.sum / previous.weight > last.sum / last.weight else { break }
                blocks.removeLast(2)
                blocks.append((previous.sum + last.sum, previous.weight + last.weight, previous.count + last.count))
            }
        }
        var result: [Double] = []
        for block in blocks {
            let value = block.sum / block.weight
            for _ in 0..<block.count { result.append(value + offsets[result.count]) }
        }
        return result
    }
}
