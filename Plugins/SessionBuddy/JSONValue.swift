/// A JSON value as the payload holds it, so a check can say what it found (a boolean is not a number).
enum JSONValue: Decodable, Equatable, Sendable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() { self = .null }
        else if let value = try? container.decode(Bool.self) { self = .bool(value) }
        else if let value = try? container.decode(Double.self) { self = .number(value) }
        else if let value = try? container.decode(String.self) { self = .string(value) }
        else if let value = try? container.decode([JSONValue].self) { self = .array(value) }
        else { self = .object(try container.decode([String: JSONValue].self)) }
    }

    /// `"abc" (a string)`, `true (a boolean)`, `12 (a number)`, `a list`, `an object`, `null`.
    var described: String {
        switch self {
        case .null: "null"
        case .bool(let value): "\(value) (a boolean)"
        case .number(let value): "\(value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)) (a number)"
        case .string(let text): "\"\(text.count > 60 ? String(text.prefix(60)) + "…" : text)\" (a string)"
        case .array(let items): "a list of \(items.count)"
        case .object: "an object"
        }
    }
}
