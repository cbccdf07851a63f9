/// Renders configuration values as compact JSON text, deterministically (keys
/// in the order written), so an unchanged file always yields the same text and
/// the host's config-change detection sees no change.
enum ConfigValueJSON {
    /// Which text a value from `${VAR}` references takes: what the environment gave
    /// (for the plugin) or the reference as written (for anything shown to people).
    enum References {
        case resolved
        case asWritten
    }

    /// `node` as JSON text. Mapping keys are kept in file order; a value from the
    /// environment is always a JSON string (`007` stays `"007"`).
    static func render(_ node: ConfigNode, references: References = .resolved) -> String {
        var output = ""
        write(node, references: references, into: &output)
        return output
    }

    private static func write(_ node: ConfigNode, references: References, into output: inout String) {
        switch node.content {
        case .scalar(let scalar) where scalar.fromReference && references == .asWritten:
            output += "\"" + escapedContent(scalar.written) + "\""
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
                write(entry.value, references: references, into: &output)
            }
            output += "}"
        case .sequence(let items):
            output += "["
            for (index, item) in items.enumerated() {
                if index > 0 { output += "," }
                write(item, references: references, into: &output)
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
