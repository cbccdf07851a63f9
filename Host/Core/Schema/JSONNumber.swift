/// A JSON number: its literal text (kept, so large integers survive a round
/// trip), its value as a `Double`, and its exact value when it is an integer
/// that fits 64 bits.
public struct JSONNumber: Sendable, Hashable, CustomStringConvertible {
    /// The number as written (`1e3`, `-0.5`, `18446744073709551616`).
    public let literal: String
    public let double: Double
    /// The exact value when the literal is an integer within `Int64`.
    public let exactInteger: Int64?

    /// A number from parsed literal text (the parser has checked the grammar).
    init(literal: String) {
        self.literal = literal
        self.double = Double(literal) ?? .nan
        self.exactInteger = Int64(literal)
    }

    /// An integer.
    public init(_ value: Int64) {
        self.literal = String(value)
        self.double = Double(value)
        self.exactInteger = value
    }

    /// An integer.
    public init(_ value: Int) { self.init(Int64(value)) }

    /// A number from a `Double`; a non-finite value (which JSON cannot carry) serializes as `null`.
    public init(_ value: Double) {
        self.literal = value.isFinite ? "\(value)" : "null"
        self.double = value
        self.exactInteger = value.isFinite && value == value.rounded() && abs(value) < 9.2e18 ? Int64(value) : nil
    }

    /// JSON Schema's `integer`: a number with no fractional part (`1.0` is one).
    public var isInteger: Bool {
        exactInteger != nil || (double.isFinite && double == double.rounded())
    }

    public var description: String { literal }

    /// Numeric equality: `1` equals `1.0`.
    public static func == (lhs: JSONNumber, rhs: JSONNumber) -> Bool {
        if let left = lhs.exactInteger, let right = rhs.exactInteger { return left == right }
        return lhs.double == rhs.double
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(double)
    }
}
