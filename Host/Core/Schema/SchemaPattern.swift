/// A compiled `pattern`: an unanchored search over Unicode scalars, as JSON
/// Schema asks of its ECMA-262 regular expressions.
///
/// Swift's `Regex` rather than `NSRegularExpression`: ICU gives up (and
/// reports "no match") on long inputs such as `^a+$` over a megabyte, which
/// would turn a valid payload into a violation.
final class SchemaPattern: @unchecked Sendable {
    let source: String
    /// Immutable after `init`; the lazily built matching program is forced there,
    /// so concurrent matches only read it.
    private let expression: Regex<AnyRegexOutput>

    init(_ source: String) throws {
        self.source = source
        self.expression = try Regex(source).matchingSemantics(.unicodeScalar)
        _ = try? expression.firstMatch(in: "")
    }

    func matches(_ text: String) -> Bool {
        (try? expression.firstMatch(in: text)) != nil
    }
}
