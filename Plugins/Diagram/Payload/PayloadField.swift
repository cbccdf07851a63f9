import PluginKit

/// A value in a payload together with its JSON path (`graph.nodes[3].id`): the one place
/// that turns "wrong shape" into an `INVALID_ARGUMENT` naming the path, what was expected and
/// what was found (plus line and column for YAML).
struct PayloadField: Sendable {
    let value: PayloadValue
    /// The JSON path of ``value``; `payload` for the root.
    let path: String

    init(_ value: PayloadValue, path: String) {
        self.value = value
        self.path = path
    }

    /// An `INVALID_ARGUMENT` at this field: `graph.edges[2].to: expected …, found …`.
    func error(expected: String, found: String? = nil) -> PluginError {
        var message = "\(path): expected \(expected), found \(found ?? value.foundDescription)"
        if let mark = value.mark { message += " (\(mark))" }
        return .invalidArgument(message)
    }

    /// The members of an object; throws unless this is an object.
    func object() throws(PluginError) -> [String: PayloadValue] {
        guard case .object(let members) = value.kind else { throw error(expected: "an object") }
        return members
    }

    /// The member `key` of this object, `nil` when absent or null.
    func member(_ key: String) throws(PluginError) -> PayloadField? {
        let members = try object()
        guard let value = members[key] else { return nil }
        if case .null = value.kind { return nil }
        return PayloadField(value, path: path == "payload" ? key : "\(path).\(key)")
    }

    /// The member `key`, which must be present.
    func required(_ key: String, expected: String) throws(PluginError) -> PayloadField {
        guard let field = try member(key) else {
            let at = path == "payload" ? key : "\(path).\(key)"
            var message = "\(at): expected \(expected), found nothing (the field is missing)"
            if let mark = value.mark { message += " (in the mapping at \(mark))" }
            throw .invalidArgument(message)
        }
        return field
    }

    /// The elements of an array, each with its path.
    func elements() throws(PluginError) -> [PayloadField] {
        guard case .array(let items) = value.kind else { throw error(expected: "an array") }
        return items.enumerated().map { PayloadField($0.element, path: "\(path)[\($0.offset)]") }
    }

    /// The string value; throws unless this is a string.
    func string() throws(PluginError) -> String {
        guard case .string(let text) = value.kind else { throw error(expected: "a string") }
        return text
    }

    /// A non-empty string of at most `limit` characters.
    func nonEmptyString(limit: Int) throws(PluginError) -> String {
        let text = try string()
        if text.isEmpty { throw error(expected: "a non-empty string", found: "an empty string") }
        if text.count > limit {
            throw error(expected: "at most \(limit) characters", found: "\(text.count) characters")
        }
        return text
    }

    /// The string value, which must be one of `choices`.
    func choice(_ choices: [String]) throws(PluginError) -> String {
        let text = try string()
        guard choices.contains(text) else {
            throw error(expected: "one of " + choices.map { "\"\($0)\"" }.joined(separator: ", "))
        }
        return text
    }
}
