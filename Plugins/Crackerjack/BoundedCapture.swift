/// One output stream of a run, kept within a byte cap: the first half of the cap as it came and
/// a rolling last half, the middle counted and dropped (crackerjack prints its issue details at
/// the end, so the tail is what a truncated run must keep).
struct BoundedCapture: Sendable {
    let cap: Int
    private(set) var head: [UInt8] = []
    private var tail: [UInt8] = []
    private var tailStart = 0
    /// Every byte the stream produced.
    private(set) var total = 0

    init(cap: Int) {
        self.cap = cap
        head.reserveCapacity(min(cap / 2, 1 << 16))
    }

    /// Whether bytes were dropped.
    var truncated: Bool { total > cap }

    mutating func append(_ bytes: UnsafeRawBufferPointer) {
        total += bytes.count
        var rest = bytes[...]
        let headRoom = cap / 2 - head.count
        if headRoom > 0 {
            let taken = rest.prefix(headRoom)
            head.append(contentsOf: taken)
            rest = rest.dropFirst(taken.count)
        }
        guard !rest.isEmpty else { return }
        let tailCap = cap - cap / 2
        if rest.count >= tailCap {
            tail = Array(rest.suffix(tailCap))
            tailStart = 0
            return
        }
        if tail.count < tailCap {
            let room = tailCap - tail.count
            tail.append(contentsOf: rest.prefix(room))
            rest = rest.dropFirst(room)
        }
        // A ring once full: overwrite the oldest bytes.
        for byte in rest {
            tail[tailStart] = byte
            tailStart = (tailStart + 1) % tailCap
        }
    }

    /// The kept text: the head, then (when bytes were dropped) a marker line, then the tail.
    /// Invalid UTF-8 (a cut through a character) is repaired.
    var text: String {
        let orderedTail = Array(tail[tailStart...] + tail[..<tailStart])
        guard truncated else { return String(decoding: head + orderedTail, as: UTF8.self) }
        let dropped = total - head.count - orderedTail.count
        return String(decoding: head, as: UTF8.self)
            + "\n[caphost: \(dropped) bytes of output dropped here (config.output_cap_bytes)]\n"
            + String(decoding: orderedTail, as: UTF8.self)
    }

    /// The last `count` characters of the kept text.
    func suffix(_ count: Int) -> String { String(text.suffix(count)) }
}
