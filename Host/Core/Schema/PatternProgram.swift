/// A `PatternNode` compiled to a Thompson automaton, and its search: every position
/// of the text is visited once, with the set of instructions live there, so a match
/// costs at most (text length × program size) steps whatever the pattern and text —
/// the reason the host does not use a backtracking engine for schemas it did not write.
struct PatternProgram: Sendable {
    /// One instruction. Only `scalar` and `scalarClass` consume a scalar.
    enum Instruction: Sendable {
        case scalar(Unicode.Scalar)
        case scalarClass(ClassTest)
        case assertion(PatternAssertion)
        /// Continue at both targets.
        case split(Int, Int)
        case jump(Int)
        case match
    }

    /// Most instructions a pattern may compile to (`{n,m}` copies its body), which
    /// bounds the cost of each step of a search.
    static let maxInstructions = 4096

    private(set) var instructions: [Instruction] = []
    /// The classes compiled so far (only while compiling).
    private var classTests: [ClassTest] = []
    /// The pattern begins with `^` in every branch: a search tries position 0 only.
    private let anchoredAtStart: Bool

    init(_ node: PatternNode) throws(PatternSyntaxError) {
        let size = Self.size(of: node)
        guard size <= Self.maxInstructions else {
            throw PatternSyntaxError(
                reason: "the pattern needs \(size == .max ? "too many" : "\(size)") steps once its {n,m} repetitions are written out, more than the \(Self.maxInstructions) the host allows",
                offset: 0)
        }
        anchoredAtStart = Self.anchoredAtStart(node)
        instructions.reserveCapacity(size + 1)
        emit(node)
        instructions.append(.match)
        classTests = []
    }

    /// A class with its ASCII members as a bitmap: most text a schema checks is ASCII.
    struct ClassTest: Sendable {
        let set: PatternClass
        private let ascii: (low: UInt64, high: UInt64)

        init(_ set: PatternClass) {
            self.set = set
            var ascii: (low: UInt64, high: UInt64) = (0, 0)
            for value in 0..<UInt32(128) where set.contains(Unicode.Scalar(value)!) {
                if value < 64 { ascii.low |= 1 << value } else { ascii.high |= 1 << (value - 64) }
            }
            self.ascii = ascii
        }

        func contains(_ scalar: Unicode.Scalar) -> Bool {
            let value = scalar.value
            if value < 64 { return ascii.low >> value & 1 == 1 }
            if value < 128 { return ascii.high >> (value - 64) & 1 == 1 }
            return set.contains(scalar)
        }
    }

    /// What the assertions see at a position: the scalars on either side (nil at an end).
    private struct Edge {
        let before: Unicode.Scalar?
        let after: Unicode.Scalar?
    }

    /// Whether some substring of `text` matches.
    func matches(_ text: String) -> Bool {
        var current = LiveSet(capacity: instructions.count)
        var next = LiveSet(capacity: instructions.count)
        var pending: [Int] = []
        var scalars = text.unicodeScalars.makeIterator()
        var edge = Edge(before: nil, after: scalars.next())
        while true {
            if edge.before == nil || !anchoredAtStart {
                if follow(0, at: edge, into: &current, pending: &pending) { return true }
            } else if current.isEmpty {
                return false
            }
            guard let scalar = edge.after else { return false }
            edge = Edge(before: scalar, after: scalars.next())
            next.removeAll()
            for pc in current.members {
                let advances = switch instructions[pc] {
                case .scalar(let expected): expected == scalar
                case .scalarClass(let test): test.contains(scalar)
                default: false
                }
                if advances, follow(pc + 1, at: edge, into: &next, pending: &pending) { return true }
            }
            swap(&current, &next)
        }
    }

    /// Adds `start` and everything reachable from it without consuming a scalar to
    /// `live`; true when that reaches `match`.
    private func follow(_ start: Int, at edge: Edge, into live: inout LiveSet, pending: inout [Int]) -> Bool {
        pending.removeAll(keepingCapacity: true)
        pending.append(start)
        while let pc = pending.popLast() {
            guard live.insert(pc) else { continue }
            switch instructions[pc] {
            case .match: return true
            case .jump(let target): pending.append(target)
            case .split(let first, let second):
                pending.append(second)
                pending.append(first)
            case .assertion(let assertion):
                if Self.holds(assertion, at: edge) { pending.append(pc + 1) }
            case .scalar, .scalarClass: break
            }
        }
        return false
    }

    private static func holds(_ assertion: PatternAssertion, at edge: Edge) -> Bool {
        switch assertion {
        case .start: return edge.before == nil
        case .end: return edge.after == nil
        case .wordBoundary, .notWordBoundary:
            let before = edge.before.map(PatternClass.isWord) ?? false
            let after = edge.after.map(PatternClass.isWord) ?? false
            return (before != after) == (assertion == .wordBoundary)
        }
    }

    // MARK: - Compiling

    private mutating func emit(_ node: PatternNode) {
        switch node {
        case .empty: break
        case .scalar(let scalar): instructions.append(.scalar(scalar))
        case .scalarClass(let set): instructions.append(.scalarClass(classTest(set)))
        case .assertion(let assertion): instructions.append(.assertion(assertion))
        case .concatenation(let parts): parts.forEach { emit($0) }
        case .alternation(let branches):
            var jumps: [Int] = []
            for (index, branch) in branches.enumerated() {
                if index == branches.count - 1 {
                    emit(branch)
                } else {
                    let split = placeholder()
                    emit(branch)
                    jumps.append(placeholder())
                    instructions[split] = .split(split + 1, instructions.count)
                }
            }
            for jump in jumps { instructions[jump] = .jump(instructions.count) }
        case .repetition(let body, let minimum, let maximum):
            for _ in 0..<minimum { emit(body) }
            if let maximum {
                // (body(body(…)?)?)? for the optional copies: each may stop the run.
                var splits: [Int] = []
                for _ in minimum..<maximum {
                    splits.append(placeholder())
                    emit(body)
                }
                for split in splits { instructions[split] = .split(split + 1, instructions.count) }
            } else {
                let loop = placeholder()
                emit(body)
                instructions.append(.jump(loop))
                instructions[loop] = .split(loop + 1, instructions.count)
            }
        }
    }

    /// The test for `set`, built once per distinct class (`{n,m}` copies its body).
    private mutating func classTest(_ set: PatternClass) -> ClassTest {
        if let built = classTests.first(where: { $0.set == set }) { return built }
        let test = ClassTest(set)
        classTests.append(test)
        return test
    }

    private mutating func placeholder() -> Int {
        instructions.append(.match)
        return instructions.count - 1
    }

    /// How many instructions `node` compiles to, saturating at `Int.max`.
    private static func size(of node: PatternNode) -> Int {
        func add(_ a: Int, _ b: Int) -> Int { a.addingReportingOverflow(b).overflow ? .max : a + b }
        func multiply(_ a: Int, _ b: Int) -> Int { a.multipliedReportingOverflow(by: b).overflow ? .max : a * b }
        switch node {
        case .empty: return 0
        case .scalar, .scalarClass, .assertion: return 1
        case .concatenation(let parts): return parts.reduce(0) { add($0, size(of: $1)) }
        case .alternation(let branches): return branches.reduce(2 * (branches.count - 1)) { add($0, size(of: $1)) }
        case .repetition(let body, let minimum, let maximum):
            let one = size(of: body)
            guard let maximum else { return add(multiply(minimum, one), add(one, 2)) }
            return add(multiply(minimum, one), multiply(maximum - minimum, add(one, 1)))
        }
    }

    private static func anchoredAtStart(_ node: PatternNode) -> Bool {
        switch node {
        case .assertion(.start): return true
        case .concatenation(let parts): return parts.first.map(anchoredAtStart) ?? false
        case .alternation(let branches): return branches.allSatisfy(anchoredAtStart)
        case .repetition(let body, let minimum, _): return minimum > 0 && anchoredAtStart(body)
        default: return false
        }
    }
}

/// The instructions live at one position: a sparse set (Briggs–Torczon), cleared in
/// constant time and iterated in insertion order.
private struct LiveSet {
    private(set) var members: [Int] = []
    private var slots: [Int]

    init(capacity: Int) {
        slots = Array(repeating: 0, count: capacity)
        members.reserveCapacity(capacity)
    }

    var isEmpty: Bool { members.isEmpty }

    /// Adds `pc`; false if it was there already.
    mutating func insert(_ pc: Int) -> Bool {
        let slot = slots[pc]
        if slot < members.count && members[slot] == pc { return false }
        slots[pc] = members.count
        members.append(pc)
        return true
    }

    mutating func removeAll() {
        members.removeAll(keepingCapacity: true)
    }
}
