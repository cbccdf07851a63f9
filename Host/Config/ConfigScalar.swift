/// A scalar's typed value, the text it was written as, and whether it holds a secret.
package struct ConfigScalar: Sendable {
    package enum Value: Sendable, Equatable {
        case null
        case bool(Bool)
        case int(Int)
        case double(Double)
        case string(String)
    }

    package let value: Value
    /// The text as written in the file (with `${VAR}` references unresolved).
    package let written: String
    /// The text after references were resolved. Never shown: it may hold what the environment holds.
    let resolved: String
    /// The value came (at least partly) from `${VAR}` references.
    let fromReference: Bool
    /// The resolved value is a secret: never shown, only scrubbed.
    let isSecret: Bool

    /// What the value is, for "found …" in messages. A value from `${VAR}` references shows
    /// only as its reference, secret or not: the environment's values are never repeated.
    package var found: String {
        if fromReference { return referenceDescription }
        return switch value {
        case .null: "nothing (null)"
        case .bool(let flag): "\(flag)"
        case .int, .double: resolved
        case .string(let text): "\"\(text)\""
        }
    }

    /// `the value of ${PORT}`, or `the value of "api:${KEY}"` when text surrounds the reference.
    var referenceDescription: String {
        let whole = written.hasPrefix("${") && written.firstIndex(of: "}") == written.indices.last
        return whole ? "the value of \(written)" : "the value of \"\(written)\""
    }

    /// The same scalar holding `value` (a value from the environment read as a setting's type).
    func retyped(_ value: Value) -> ConfigScalar {
        ConfigScalar(value: value, written: written, resolved: resolved, fromReference: fromReference, isSecret: isSecret)
    }

    /// The value as text, for keys that accept text (numbers and booleans as written).
    package var text: String? {
        switch value {
        case .null: nil
        case .string(let text): text
        case .bool, .int, .double: resolved
        }
    }
}
