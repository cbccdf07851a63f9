import CapHostCore

/// Shapes a method's input schema into a tool's: MCP requires an object at
/// the root, while a method may take any JSON payload.
///
/// - An object schema (`type: object`, or no `type` but object keywords, or
///   a schema that accepts anything) is used as it is, with `type: object`
///   made explicit: the tool's arguments are the payload.
/// - Any other schema (`type: integer`, `enum`, …) is wrapped as the property
///   `payload` of an object, `$defs`/`definitions` hoisted to the root and
///   other local `$ref`s re-pointed below `/properties/payload`.
enum MCPToolInputSchema {
    static let objectKeywords: Set<String> = [
        "properties", "required", "additionalProperties", "patternProperties", "minProperties", "maxProperties",
    ]

    /// The tool schema for `schemaText`, and whether the payload is wrapped.
    static func shape(_ schemaText: String) -> (schema: JSONValue, wrapsPayload: Bool) {
        guard case .object(var members) = (try? JSONValue(parsing: schemaText)) ?? .object([:]) else {
            // `true`/`false` or a non-object (the loader refuses those): accept any arguments object.
            return (["type": "object"], false)
        }
        switch members["type"] {
        case .string("object")?:
            return (.object(members), false)
        case .array(let types)? where types.contains(.string("object")):
            members["type"] = "object"
            return (.object(members), false)
        case nil:
            let constraining = Set(members.keys).subtracting(nonConstrainingKeywords)
            if constraining.isEmpty || !constraining.isDisjoint(with: objectKeywords) {
                members["type"] = "object"
                return (.object(members), false)
            }
        default:
            break
        }
        return (wrap(members), true)
    }

    /// Keywords that say nothing about the payload's type.
    static let nonConstrainingKeywords: Set<String> = [
        "$schema", "$id", "$comment", "title", "description", "default", "examples", "format",
        "readOnly", "writeOnly", "deprecated", "$defs", "definitions",
    ]

    private static func wrap(_ members: [String: JSONValue]) -> JSONValue {
        var inner = members
        var root: [String: JSONValue] = ["type": "object", "required": ["payload"], "additionalProperties": false]
        for hoisted in ["$defs", "definitions", "$schema"] {
            if let value = inner.removeValue(forKey: hoisted) { root[hoisted] = rewriteReferences(in: value) }
        }
        root["properties"] = ["payload": rewriteReferences(in: .object(inner))]
        root["description"] = .string("The method takes a non-object payload: pass it as \"payload\".")
        return .object(root)
    }

    /// Re-points `$ref`s that addressed the old root (anything but `$defs`/`definitions`).
    private static func rewriteReferences(in value: JSONValue) -> JSONValue {
        switch value {
        case .object(let members):
            var rewritten: [String: JSONValue] = [:]
            for (key, member) in members {
                if key == "$ref", let reference = member.stringValue, reference.hasPrefix("#"),
                   !reference.hasPrefix("#/$defs/"), !reference.hasPrefix("#/definitions/") {
                    rewritten[key] = .string("#/properties/payload" + reference.dropFirst())
                } else {
                    rewritten[key] = rewriteReferences(in: member)
                }
            }
            return .object(rewritten)
        case .array(let items):
            return .array(items.map(rewriteReferences))
        default:
            return value
        }
    }
}
