/// A scalar's typed value, the text it was written as, and whether it holds a secret.
struct ConfigScalar: Sendable {
    enum Value: Sendable, Equatable {
        case null
        case bool(Bool)
        case int(Int)
        case double(Double)
        case string(String)
    }

    let value: Value
    /// The text as written in the file (with `${VAR}` references unresolved).
    let written: String
    /// The text after references were resolved, before it was typed.
    let resolved: String
    /// The value came (at least partly) from `${VAR}` references.
    let fromReference: Bool
    /// The resolved value is a secret: never shown, only scrubbed.
    let isSecret: Bool

    /// What the value is, for "found …" in messages: a secret shows only its reference.
    var found: String {
        if isSecret { return "a secret from \(written)" }
        let shown: String = switch value {
        case .null: "nothing (null)"
        case .bool(let flag): "\(flag)"
        case .int, .double: resolved
        case .string(let text): "\"\(text)\""
        }
        return fromReference ? "\(shown) (from \(written))" : shown
    }

    /// The value as text, for keys that accept text (numbers and booleans as written).
    var text: String? {
        switch value {
        case .null: nil
        case .string(let text): text
        case .bool, .int, .double: resolved
        }
    }
}
