import PluginKit

/// One `${…}` reference inside a step's params: `${input.repos}` or
/// `${steps.find-storage.results[0].adapter_id}`.
enum WorkflowReference: Sendable, Hashable {
    /// `${input.NAME…}`: the input field's name.
    case input(String)
    /// `${steps.NAME…}`: the step and the field path after it (empty for the whole result).
    case step(String, field: String)

    /// Every reference in `text`. `stepNames` are the steps the reference may name (a step
    /// name may contain dots, so the longest known name that fits wins). References with
    /// other roots are not data flow between steps and are skipped.
    static func all(in text: String, stepNames: Set<String>, at field: PayloadField) throws(PluginError) -> [WorkflowReference] {
        var found: [WorkflowReference] = []
        var rest = Substring(text)
        while let start = rest.range(of: "${") {
            guard let end = rest[start.upperBound...].firstIndex(of: "}") else {
                throw field.error(expected: "every \"${\" closed by \"}\"", found: PayloadValue.quoted(String(rest[start.lowerBound...])))
            }
            let body = Self.trimmed(rest[start.upperBound..<end])
            rest = rest[rest.index(after: end)...]
            if body.hasPrefix("input.") {
                let name = body.dropFirst("input.".count).prefix { $0 != "." && $0 != "[" }
                guard !name.isEmpty else {
                    throw field.error(expected: "${input.NAME}", found: PayloadValue.quoted("${\(body)}"))
                }
                found.append(.input(String(name)))
            } else if body.hasPrefix("steps.") {
                let path = body.dropFirst("steps.".count)
                let name = stepNames.filter { name in
                    path.hasPrefix(name) && (path.count == name.count || [".", "["].contains(path.dropFirst(name.count).first))
                }.max { $0.count < $1.count }
                guard let name else {
                    throw field.error(expected: "${steps.NAME…} naming a step of this workflow",
                                      found: PayloadValue.quoted("${\(body)}"))
                }
                var rest = path.dropFirst(name.count)
                if rest.first == "." { rest = rest.dropFirst() }
                found.append(.step(name, field: String(rest)))
            }
        }
        return found
    }

    /// `text` without spaces around it.
    private static func trimmed(_ text: Substring) -> Substring {
        var text = text
        while text.first == " " { text = text.dropFirst() }
        while text.last == " " { text = text.dropLast() }
        return text
    }
}
