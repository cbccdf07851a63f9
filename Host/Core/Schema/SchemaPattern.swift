/// A compiled `pattern`: an unanchored search over Unicode scalars, as JSON Schema
/// asks of its ECMA-262 regular expressions.
///
/// The host matches with its own automaton (`PatternParser`, `PatternProgram`) rather
/// than a backtracking engine: a schema comes from a plugin, and with backtracking one
/// `pattern` such as `^(a+)+$` costs time exponential in the text (18 `a`s and a `!`
/// took 22 s in Swift's `Regex`). Here every search is linear in the text. It also
/// does not give up on long texts, as ICU does (`^a+$` over a megabyte).
package final class SchemaPattern: Sendable {
    package let source: String
    private let program: PatternProgram

    /// The pattern `source`, or why it is refused.
    package init(_ source: String) throws(PatternSyntaxError) {
        self.source = source
        var parser = PatternParser(source)
        program = try PatternProgram(parser.parse())
    }

    /// Whether some part of `text` matches.
    package func matches(_ text: String) -> Bool {
        program.matches(text)
    }
}
