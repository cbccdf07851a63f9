/// Reads a JSON Schema `pattern` (ECMA-262 syntax, over Unicode scalars) into a
/// `PatternNode`.
///
/// It takes what JSON Schema recommends patterns use and what schemas in practice
/// add to it: literals and escapes (`\n`, `\x41`, `\u00e9`, `\u{1F600}`, `\cJ`, `\.`),
/// `.`, bracket classes with ranges, `\d \w \s \D \W \S`, `\p{…}`/`\P{…}`, groups
/// (`(…)`, `(?:…)`, `(?<name>…)`), `|`, `* + ? {n} {n,} {n,m}` and their lazy forms,
/// `^ $ \b \B`. Backreferences and lookaround need backtracking, which would let one
/// schema make a call cost exponential time; they are refused with a reason, as is
/// every syntax error, with the offset (in scalars) where it was found.
struct PatternParser {
    private let scalars: [Unicode.Scalar]
    private var position = 0
    /// Groups open around the current position.
    private var depth = 0

    init(_ source: String) {
        scalars = Array(source.unicodeScalars)
    }

    /// The whole pattern.
    mutating func parse() throws(PatternSyntaxError) -> PatternNode {
        let node = try disjunction()
        if let next = peek() {
            throw error(next == ")" ? "unmatched ')'" : "unexpected '\(next)'")
        }
        return node
    }

    // MARK: - Structure

    private mutating func disjunction() throws(PatternSyntaxError) -> PatternNode {
        var branches = [try alternative()]
        while take("|") { branches.append(try alternative()) }
        return branches.count == 1 ? branches[0] : .alternation(branches)
    }

    private mutating func alternative() throws(PatternSyntaxError) -> PatternNode {
        var terms: [PatternNode] = []
        while let next = peek(), next != "|", next != ")" {
            terms.append(try term())
        }
        switch terms.count {
        case 0: return .empty
        case 1: return terms[0]
        default: return .concatenation(terms)
        }
    }

    private mutating func term() throws(PatternSyntaxError) -> PatternNode {
        let start = position
        let atom: PatternNode
        var quantifiable = true
        switch advance() {
        case "^": atom = .assertion(.start); quantifiable = false
        case "$": atom = .assertion(.end); quantifiable = false
        case ".": atom = .scalarClass(.anyButLineTerminator)
        case "(": atom = try group(openedAt: start)
        case "[": atom = .scalarClass(try bracketClass(openedAt: start))
        case "\\":
            if take("b") { atom = .assertion(.wordBoundary); quantifiable = false }
            else if take("B") { atom = .assertion(.notWordBoundary); quantifiable = false }
            else { atom = try escape() }
        case "*", "+", "?":
            throw error("nothing to repeat before '\(scalars[start])'", at: start)
        case "{" where quantifierAhead(from: start):
            throw error("nothing to repeat before '{'", at: start)
        case let scalar?: atom = .scalar(scalar)
        case nil: throw error("unexpected end of pattern")
        }
        let quantifierStart = position
        guard let (minimum, maximum) = try quantifier() else { return atom }
        guard quantifiable else {
            throw error("a quantifier cannot follow the assertion '\(String(String.UnicodeScalarView(scalars[start..<quantifierStart])))'",
                        at: quantifierStart)
        }
        _ = take("?")  // lazy: the same texts match
        return .repetition(atom, minimum: minimum, maximum: maximum)
    }

    private mutating func group(openedAt start: Int) throws(PatternSyntaxError) -> PatternNode {
        guard depth < Self.maxDepth else { throw error("groups nest deeper than \(Self.maxDepth)", at: start) }
        depth += 1
        defer { depth -= 1 }
        if take("?") {
            if take(":") {
            } else if take("<") {
                if take("=") || take("!") { throw error("lookbehind assertions are not supported: \(Self.linearOnly)", at: start) }
                var name = ""
                while let next = peek(), next != ">" {
                    guard PatternClass.isWord(next) || next.properties.isAlphabetic || next == "$" else {
                        throw error("the group name has '\(next)', expected letters, digits, '_' or '$'")
                    }
                    name.unicodeScalars.append(next)
                    position += 1
                }
                guard !name.isEmpty, take(">") else { throw error("a named group is written (?<name>…)", at: start) }
            } else if take("=") || take("!") {
                throw error("lookahead assertions are not supported: \(Self.linearOnly)", at: start)
            } else {
                throw error("'(?' must begin '(?:', '(?<name>', or a lookaround", at: start)
            }
        }
        let inner = try disjunction()
        guard take(")") else { throw error("missing ')' for the group opened at offset \(start)") }
        return inner
    }

    /// `*`, `+`, `?`, `{n}`, `{n,}`, `{n,m}` at the current position, consumed; nil
    /// if there is none (a `{` that does not begin one is a literal, as ECMA-262's
    /// Annex B reads it).
    private mutating func quantifier() throws(PatternSyntaxError) -> (Int, Int?)? {
        let start = position
        if take("*") { return (0, nil) }
        if take("+") { return (1, nil) }
        if take("?") { return (0, 1) }
        guard quantifierAhead(from: start) else { return nil }
        position += 1
        let minimum = try count()
        var maximum: Int? = minimum
        if take(",") { maximum = peek() == "}" ? nil : try count() }
        position += 1  // "}", checked by quantifierAhead
        if let maximum, maximum < minimum {
            throw error("the repetition {\(minimum),\(maximum)} has its numbers out of order", at: start)
        }
        return (minimum, maximum)
    }

    /// Whether `{n}`, `{n,}` or `{n,m}` begins at `start`.
    private func quantifierAhead(from start: Int) -> Bool {
        var index = start
        guard index < scalars.count, scalars[index] == "{" else { return false }
        index += 1
        func digits() -> Bool {
            let first = index
            while index < scalars.count, ("0"..."9").contains(scalars[index]) { index += 1 }
            return index > first
        }
        guard digits() else { return false }
        if index < scalars.count, scalars[index] == "," {
            index += 1
            _ = digits()
        }
        return index < scalars.count && scalars[index] == "}"
    }

    private mutating func count() throws(PatternSyntaxError) -> Int {
        let start = position
        var value = 0
        while let next = peek(), ("0"..."9").contains(next) {
            value = value * 10 + Int(next.value - 0x30)
            guard value <= Self.maxCount else { throw error("a repetition count is larger than \(Self.maxCount)", at: start) }
            position += 1
        }
        return value
    }

    // MARK: - Classes and escapes

    private mutating func bracketClass(openedAt start: Int) throws(PatternSyntaxError) -> PatternClass {
        var set = PatternClass(members: [], negated: take("^"))
        while !take("]") {
            guard position < scalars.count else { throw error("missing ']' for the class opened at offset \(start)") }
            let low = try classAtom()
            guard peek() == "-", position + 1 < scalars.count, scalars[position + 1] != "]" else {
                set.members.append(low.member)
                continue
            }
            let dash = position
            position += 1
            let high = try classAtom()
            guard let lower = low.scalar, let upper = high.scalar else {
                // A class escape on either side of '-': all three are members (Annex B).
                set.members += [low.member, .range(0x2D, 0x2D), high.member]
                continue
            }
            guard lower.value <= upper.value else {
                throw error("the range '\(lower)-\(upper)' is out of order", at: dash - 1)
            }
            set.members.append(.range(lower.value, upper.value))
        }
        return set
    }

    /// One scalar or class escape inside `[…]`.
    private mutating func classAtom() throws(PatternSyntaxError) -> (member: PatternClass.Member, scalar: Unicode.Scalar?) {
        guard let next = advance() else { throw error("unexpected end of pattern inside a class") }
        guard next == "\\" else { return (.range(next.value, next.value), next) }
        if take("b") { return (.range(0x08, 0x08), "\u{08}") }
        if take("-") { return (.range(0x2D, 0x2D), "-") }
        switch try escape() {
        case .scalar(let scalar): return (.range(scalar.value, scalar.value), scalar)
        case .scalarClass(let set): return (set.members[0], nil)
        default: throw error("unexpected escape inside a class")
        }
    }

    /// What follows a `\` (already consumed): a scalar (`.scalar`) or a one-member class.
    private mutating func escape() throws(PatternSyntaxError) -> PatternNode {
        let start = position - 1
        guard let letter = advance() else { throw error("the pattern ends with a lone '\\'", at: start) }
        func set(_ member: PatternClass.Member) -> PatternNode { .scalarClass(PatternClass(members: [member])) }
        func scalar(_ value: Unicode.Scalar) -> PatternNode { .scalar(value) }
        switch letter {
        case "d": return set(.digit)
        case "D": return set(.not(.digit))
        case "w": return set(.word)
        case "W": return set(.not(.word))
        case "s": return set(.space)
        case "S": return set(.not(.space))
        case "t": return scalar("\t")
        case "n": return scalar("\n")
        case "r": return scalar("\r")
        case "v": return scalar("\u{0B}")
        case "f": return scalar("\u{0C}")
        case "0" where !(peek().map { ("0"..."9").contains($0) } ?? false): return scalar("\0")
        case "c":
            guard let control = advance(), control.isASCII, control.properties.isAlphabetic else {
                throw error("'\\c' must be followed by a letter A–Z", at: start)
            }
            return scalar(Unicode.Scalar(control.value % 32)!)
        case "x":
            return scalar(try hexScalar(digits: 2, at: start))
        case "u":
            if take("{") {
                let value = try hexValue(upTo: 6, at: start)
                guard take("}"), let result = Unicode.Scalar(value) else { throw error("'\\u{…}' must name a Unicode scalar in hex", at: start) }
                return scalar(result)
            }
            return scalar(try hexScalar(digits: 4, at: start))
        case "p", "P":
            guard take("{") else { throw error("'\\\(letter)' must be followed by {property}", at: start) }
            var name = ""
            while let next = peek(), next != "}" {
                name.unicodeScalars.append(next)
                position += 1
            }
            guard take("}") else { throw error("missing '}' after '\\\(letter){'", at: start) }
            guard let property = PatternProperty(name) else {
                let shown = name.unicodeScalars.count > 40 ? String(String.UnicodeScalarView(name.unicodeScalars.prefix(40))) + "…" : name
                throw error("unknown Unicode property '\(shown)' (expected a general category such as L, Lu, Nd or Letter, or Any, ASCII, Alphabetic, White_Space, Uppercase, Lowercase)", at: start)
            }
            return set(letter == "p" ? .property(property) : .not(.property(property)))
        case "1"..."9", "k":
            throw error("backreferences are not supported: \(Self.linearOnly)", at: start)
        default:
            guard !letter.properties.isAlphabetic, !("0"..."9").contains(letter) else {
                throw error("'\\\(letter)' is not an escape ECMA-262 defines", at: start)
            }
            return scalar(letter)
        }
    }

    private mutating func hexScalar(digits: Int, at start: Int) throws(PatternSyntaxError) -> Unicode.Scalar {
        var value: UInt32 = 0
        for _ in 0..<digits {
            guard let next = advance(), let digit = Self.hexDigit(next) else {
                throw error("expected \(digits) hex digits after '\\\(scalars[start + 1])'", at: start)
            }
            value = value * 16 + digit
        }
        guard let scalar = Unicode.Scalar(value) else { throw error("'\\u\(String(value, radix: 16))' is a lone surrogate", at: start) }
        return scalar
    }

    private mutating func hexValue(upTo digits: Int, at start: Int) throws(PatternSyntaxError) -> UInt32 {
        var value: UInt32 = 0
        var read = 0
        while read < digits, let next = peek(), let digit = Self.hexDigit(next) {
            value = value * 16 + digit
            read += 1
            position += 1
        }
        guard read > 0 else { throw error("'\\u{…}' must name a Unicode scalar in hex", at: start) }
        return value
    }

    private static func hexDigit(_ scalar: Unicode.Scalar) -> UInt32? {
        scalar.isASCII ? UInt32(String(scalar), radix: 16) : nil
    }

    // MARK: - Reading

    /// Deepest nesting of groups accepted (parsing and compiling recurse on it).
    static let maxDepth = 100
    /// Largest `{n,m}` count accepted; the compiled program is bounded separately.
    static let maxCount = 10_000
    private static let linearOnly = "the host matches patterns in linear time, without backtracking"

    private func peek() -> Unicode.Scalar? {
        position < scalars.count ? scalars[position] : nil
    }

    private mutating func advance() -> Unicode.Scalar? {
        defer { position += 1 }
        return peek()
    }

    private mutating func take(_ scalar: Unicode.Scalar) -> Bool {
        guard peek() == scalar else { return false }
        position += 1
        return true
    }

    private func error(_ reason: String, at offset: Int? = nil) -> PatternSyntaxError {
        PatternSyntaxError(reason: reason, offset: min(offset ?? position, scalars.count))
    }
}
