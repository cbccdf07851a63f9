/// A parsed JSON document: what the HTTP and MCP edges validate against a
/// method's input schema, and what the MCP server reads and writes.
///
/// Objects keep the last value of a repeated key (as JavaScript and Python do)
/// and serialize with sorted keys, so output is deterministic.
public enum JSONValue: Sendable, Hashable {
    case null
    case bool(Bool)
    case number(JSONNumber)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    /// Nesting deeper than this is refused by default (arrays and objects count one level each).
    public static let defaultMaximumDepth = 512

    /// Parses UTF-8 JSON text (RFC 8259, any value at the top level).
    /// Throws an error naming line, column and byte offset.
    public init(parsing bytes: [UInt8], maximumDepth: Int = JSONValue.defaultMaximumDepth) throws(JSONParseError) {
        let result = bytes.withUnsafeBytes { buffer -> Result<JSONValue, JSONParseError> in
            do throws(JSONParseError) {
                return .success(try JSONValue(parsing: buffer, maximumDepth: maximumDepth))
            } catch {
                return .failure(error)
            }
        }
        self = try result.get()
    }

    /// Parses JSON text in memory the caller owns (no copy is made).
    public init(parsing buffer: UnsafeRawBufferPointer, maximumDepth: Int = JSONValue.defaultMaximumDepth) throws(JSONParseError) {
        var parser = JSONParser(buffer, maximumDepth: maximumDepth)
        self = try parser.parseDocument()
    }

    /// Parses JSON text.
    public init(parsing text: String, maximumDepth: Int = JSONValue.defaultMaximumDepth) throws(JSONParseError) {
        try self.init(parsing: Array(text.utf8), maximumDepth: maximumDepth)
    }

    /// The member `key` of an object, or nil (also for non-objects).
    public subscript(key: String) -> JSONValue? {
        if case .object(let members) = self { return members[key] }
        return nil
    }

    public var stringValue: String? {
        if case .string(let text) = self { return text }
        return nil
    }

    public var boolValue: Bool? {
        if case .bool(let flag) = self { return flag }
        return nil
    }

    public var numberValue: JSONNumber? {
        if case .number(let number) = self { return number }
        return nil
    }

    public var arrayValue: [JSONValue]? {
        if case .array(let items) = self { return items }
        return nil
    }

    public var objectValue: [String: JSONValue]? {
        if case .object(let members) = self { return members }
        return nil
    }

    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }

    /// The JSON type name: `null`, `boolean`, `number`, `string`, `array`, `object`.
    public var typeName: String {
        switch self {
        case .null: "null"
        case .bool: "boolean"
        case .number: "number"
        case .string: "string"
        case .array: "array"
        case .object: "object"
        }
    }

    /// A short description for error messages: `number 3`, `string "abc"`,
    /// `array of 2 items` (long strings are cut).
    public var summary: String {
        switch self {
        case .null: return "null"
        case .bool(let flag): return "boolean \(flag)"
        case .number(let number): return "number \(number.literal.count > 40 ? String(number.literal.prefix(40)) + "…" : number.literal)"
        case .string(let text):
            let shown = text.count > 40 ? String(text.prefix(40)) + "…" : text
            return "string \(String(decoding: JSONValue.string(shown).serialized(), as: UTF8.self))"
        case .array(let items): return "array of \(items.count) item\(items.count == 1 ? "" : "s")"
        case .object(let members): return "object with \(members.count) propert\(members.count == 1 ? "y" : "ies")"
        }
    }
}

extension JSONValue: ExpressibleByNilLiteral, ExpressibleByBooleanLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByFloatLiteral, ExpressibleByStringLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral {
    public init(nilLiteral: ()) { self = .null }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(integerLiteral value: Int64) { self = .number(JSONNumber(value)) }
    public init(floatLiteral value: Double) { self = .number(JSONNumber(value)) }
    public init(stringLiteral value: String) { self = .string(value) }
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self = .object(Dictionary(elements, uniquingKeysWith: { _, last in last }))
    }
}
