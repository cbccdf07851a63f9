extension DecodingError {
    /// One sentence for an operator: what was wrong and where, without Swift type dumps.
    var operatorMessage: String {
        switch self {
        case .dataCorrupted(let context):
            // Foundation's text for malformed input ("The given data was not valid JSON.")
            // says no more than the sentence below; an underlying error, when present, does.
            return context.codingPath.isEmpty
                ? "payload is not valid JSON" + (context.underlyingError.map { ": \($0)" } ?? "")
                : "\(Self.path(context.codingPath)) is invalid: \(context.debugDescription)"
        case .keyNotFound(let key, let context):
            return "missing field '\(Self.path(context.codingPath + [key]))'"
        case .typeMismatch(let type, let context):
            return "'\(Self.path(context.codingPath))' should be \(Self.jsonName(of: type))"
        case .valueNotFound(let type, let context):
            return "'\(Self.path(context.codingPath))' is null but should be \(Self.jsonName(of: type))"
        @unknown default:
            return "payload does not match: \(self)"
        }
    }

    /// `items[2].name` for a coding path; `payload` for the root.
    private static func path(_ codingPath: [any CodingKey]) -> String {
        guard !codingPath.isEmpty else { return "payload" }
        var text = ""
        for key in codingPath {
            if let index = key.intValue {
                text += "[\(index)]"
            } else {
                text += text.isEmpty ? key.stringValue : ".\(key.stringValue)"
            }
        }
        return text
    }

    /// The JSON word for a Swift type the decoder expected.
    private static func jsonName(of type: Any.Type) -> String {
        switch type {
        case is String.Type, is Substring.Type: "a string"
        case is Bool.Type: "a boolean"
        case is Int.Type, is Int8.Type, is Int16.Type, is Int32.Type, is Int64.Type,
             is UInt.Type, is UInt8.Type, is UInt16.Type, is UInt32.Type, is UInt64.Type,
             is Double.Type, is Float.Type: "a number"
        default:
            if type is any Collection.Type { "an array or object" } else { "an object" }
        }
    }
}
