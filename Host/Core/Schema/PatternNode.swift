/// A parsed `pattern`: the ECMA-262 constructs JSON Schema recommends (literals,
/// classes, `.`, groups, alternation, greedy and lazy quantifiers, `^`, `$`, `\b`),
/// which a Thompson automaton matches in time linear in the text.
indirect enum PatternNode: Equatable, Sendable {
    /// Matches the empty string.
    case empty
    /// One scalar, exactly.
    case scalar(Unicode.Scalar)
    /// One scalar of a class: `[a-z]`, `\d`, `.`, `\p{L}`.
    case scalarClass(PatternClass)
    /// A zero-width test of the position.
    case assertion(PatternAssertion)
    /// Each part in turn.
    case concatenation([PatternNode])
    /// Any one of the branches.
    case alternation([PatternNode])
    /// `body` at least `minimum` times and at most `maximum` (nil: without bound).
    /// Greedy and lazy repetitions match the same texts, so laziness is not kept.
    case repetition(PatternNode, minimum: Int, maximum: Int?)
}

/// A zero-width test: `^`, `$`, `\b`, `\B` (no multiline flag: `^` and `$` are the
/// text's two ends).
enum PatternAssertion: Equatable, Sendable {
    case start
    case end
    case wordBoundary
    case notWordBoundary
}
