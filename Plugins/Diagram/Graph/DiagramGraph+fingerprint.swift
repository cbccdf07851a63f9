extension DiagramGraph {
    /// A 64-bit FNV-1a hash of everything drawn: a deterministic source for the SVG's id
    /// prefix (two diagrams on one page keep their markers apart) and Excalidraw's seeds.
    var fingerprint: UInt64 {
        var hash = FNV1a()
        hash.add(direction.rawValue)
        hash.add(title ?? "")
        for node in nodes { hash.add(node.id); hash.add(node.label); hash.add(node.kind.rawValue); hash.add(node.group ?? "") }
        for edge in edges { hash.add(edge.from); hash.add(edge.to); hash.add(edge.label ?? ""); hash.add(edge.style.rawValue) }
        for group in groups { hash.add(group.id); hash.add(group.label) }
        return hash.value
    }
}

/// The 64-bit FNV-1a hash, fed field by field (each followed by a 0 byte so fields cannot run together).
struct FNV1a: Sendable {
    private(set) var value: UInt64 = 0xcbf2_9ce4_8422_2325

    mutating func add(_ text: String) {
        for byte in text.utf8 { add(byte: byte) }
        add(byte: 0)
    }

    private mutating func add(byte: UInt8) {
        value = (value ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
    }

    /// The hash of one string.
    static func hash(_ text: String) -> UInt64 {
        var hash = FNV1a()
        hash.add(text)
        return hash.value
    }
}
