/// A JSON value, to tell the operator which type a field had.
enum JSONValue: Decodable, Equatable, Sendable, CustomStringConvertible {
    case string(String), number(Double), bool(Bool), null, array, object

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() { self = .null }
        else if let value = try? container.decode(Bool.self) { self = .bool(value) }
        else if let value = try? container.decode(Double.self) { self = .number(value) }
        else if let value = try? container.decode(String.self) { self = .string(value) }
        else if (try? container.decode([JSONValue].self)) != nil { self = .array }
        else { self = .object }
    }

    var description: String {
        switch self {
        case .string(let text): "the string \"\(text.prefix(200))\""
        case .number(let number): "the number \(RunRequest.format(number))"
        case .bool(let value): "\(value)"
        case .null: "null"
        case .array: "an array"
        case .object: "an object"
        }
    }
}
