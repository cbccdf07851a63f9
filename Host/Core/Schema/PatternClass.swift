/// A set of scalars a pattern matches in one step: a bracket class (`[^a-z\d]`),
/// a class escape (`\w`, `\S`, `\p{Lu}`) or `.`.
struct PatternClass: Equatable, Sendable {
    /// Named sets a class may include.
    enum Member: Equatable, Sendable {
        /// `lower…upper`, both included.
        case range(UInt32, UInt32)
        /// `\d`: ASCII digits.
        case digit
        /// `\w`: ASCII letters, digits and `_`.
        case word
        /// `\s`: ECMA-262 WhiteSpace and LineTerminator.
        case space
        /// `.`: anything but a line terminator.
        case notLineTerminator
        /// `\p{…}`: a Unicode property.
        case property(PatternProperty)
        /// `\D`, `\W`, `\S`, `\P{…}`: the complement of a member.
        indirect case not(Member)
    }

    var members: [Member]
    /// `[^…]`: the class matches what its members do not.
    var negated = false

    /// `.`.
    static let anyButLineTerminator = PatternClass(members: [.notLineTerminator])

    func contains(_ scalar: Unicode.Scalar) -> Bool {
        members.contains { Self.member($0, contains: scalar) } != negated
    }

    private static func member(_ member: Member, contains scalar: Unicode.Scalar) -> Bool {
        let value = scalar.value
        switch member {
        case .range(let lower, let upper): return lower <= value && value <= upper
        case .digit: return (0x30...0x39).contains(value)
        case .word: return isWord(scalar)
        case .space: return isSpace(value)
        case .notLineTerminator: return !isLineTerminator(value)
        case .property(let property): return property.contains(scalar)
        case .not(let inner): return !Self.member(inner, contains: scalar)
        }
    }

    /// `\w`'s scalars, which `\b` also uses.
    static func isWord(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x30...0x39, 0x41...0x5A, 0x61...0x7A, 0x5F: true
        default: false
        }
    }

    static func isLineTerminator(_ value: UInt32) -> Bool {
        value == 0x0A || value == 0x0D || value == 0x2028 || value == 0x2029
    }

    private static func isSpace(_ value: UInt32) -> Bool {
        switch value {
        case 0x09...0x0D, 0x20, 0xA0, 0x1680, 0x2000...0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000, 0xFEFF: true
        default: false
        }
    }
}
