/// Renders configuration values as compact JSON text, deterministically (keys
/// in the order written), so an unchanged file always yields the same text and
/// the host's config-change detection sees no change.
enum JSONText {
    /// `node` as JSON text. Mapping keys are kept in file order; numbers keep
    /// their resolved value.
    static func render(_ node: ConfigNode) -> String {
        var output = ""
        write(node, into: &output)
        return output
    }

    private static func write(_ node: ConfigNode, into output: inout String) {
        switch node.content {
        case .scalar(let scalar):
            switch scalar.value {
            case .null: output += "null"
            case .bool(let flag): output += flag ? "true" : "false"
            case .int(let number): output += String(number)
            case .double(let number): output += number == number.rounded() && abs(number) < 1e15 ? String(Int64(number)) + ".0" : "\(number)"
            case .string(let text): output += "\"" + escapedContent(text) + "\""
            }
        case .mapping(let entries):
            output += "{"
            for (index, entry) in entries.enumerated() {
                if index > 0 { output += "," }
                output += "\"" + escapedContent(entry.key) + "\":"
                write(entry.value, into: &output)
            }
            output += "}"
        case .sequence(let items):
            output += "["
            for (index, item) in items.enumerated() {
                if index > 0 { output += "," }
                write(item, into: &output)
            }
            output += "]"
        }
    }

    /// The inside of a JSON string literal for `text` (no surrounding quotes).
    static func escapedContent(_ text: String) -> String {
        var output = ""
        output.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": output += "\\\""
            case "\\": output += "\\\\"
            case "\n": output += "\\n"
            case "\r": output += "\\r"
            case "\t": output += "\\t"
            case "\u{08}": output += "\\b"
            case "\u{0C}": output += "\\f"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    output += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    output.unicodeScalars.append(scalar)
                }
            }
        }
        return output
    }
}
