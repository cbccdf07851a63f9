import Foundation

/// Turns a schema document into `SchemaNode`s. `$ref` targets are compiled on
/// demand and shared by JSON pointer, so a recursive schema compiles to a
/// cycle of indices instead of an endless tree.
struct SchemaCompiler {
    private let document: JSONValue
    private var nodes: [SchemaNode] = []
    private var byPointer: [String: Int] = [:]
    private var pendingReferences: [(node: Int, reference: String, at: String)] = []

    init(document: JSONValue) {
        self.document = document
    }

    static func compile(_ text: String) throws(SchemaDefinitionError) -> CompiledSchema {
        let document: JSONValue
        do {
            document = try JSONValue(parsing: text)
        } catch {
            throw SchemaDefinitionError(path: "", reason: "the schema text is not JSON: \(error)")
        }
        var compiler = SchemaCompiler(document: document)
        return try compiler.compileDocument()
    }

    mutating func compileDocument() throws(SchemaDefinitionError) -> CompiledSchema {
        let root = try compile(document, at: "")
        while let pending = pendingReferences.popLast() {
            let (pointer, target) = try resolve(pending.reference, at: pending.at)
            if let existing = byPointer[pointer] {
                nodes[pending.node].ref = existing
            } else {
                nodes[pending.node].ref = try compile(target, at: pointer)
            }
        }
        let acceptsAnything: Bool = switch document {
        case .bool(true): true
        case .object(let keywords): keywords.keys.allSatisfy(Self.annotationKeywords.contains)
        default: false
        }
        return CompiledSchema(nodes: nodes, root: root, acceptsAnything: acceptsAnything)
    }

    /// Keywords that never constrain a value.
    static let annotationKeywords: Set<String> = [
        "$schema", "$id", "$comment", "title", "description", "default", "examples", "format",
        "readOnly", "writeOnly", "deprecated", "$defs", "definitions", "contentMediaType", "contentEncoding",
    ]

    // MARK: - Nodes

    private mutating func compile(_ schema: JSONValue, at pointer: String) throws(SchemaDefinitionError) -> Int {
        if let existing = byPointer[pointer] { return existing }
        let index = nodes.count
        nodes.append(SchemaNode())
        byPointer[pointer] = index
        var node = SchemaNode()
        switch schema {
        case .bool(let accepts):
            node.rejectsEverything = !accepts
        case .object(let keywords):
            try compileKeywords(keywords, at: pointer, into: &node, index: index)
        default:
            throw SchemaDefinitionError(path: pointer, reason: "a schema must be an object or a boolean, found \(schema.summary)")
        }
        nodes[index] = node
        return index
    }

    private mutating func compileKeywords(_ keywords: [String: JSONValue], at pointer: String,
                                          into node: inout SchemaNode, index: Int) throws(SchemaDefinitionError) {
        if let type = keywords["type"] { node.types = try types(type, at: pointer + "/type") }
        if let values = keywords["enum"] {
            guard let items = values.arrayValue else {
                throw SchemaDefinitionError(path: pointer + "/enum", reason: "expected an array, found \(values.summary)")
            }
            node.enumValues = items
        }
        node.constValue = keywords["const"]
        if let reference = keywords["$ref"] {
            guard let text = reference.stringValue else {
                throw SchemaDefinitionError(path: pointer + "/$ref", reason: "expected a string, found \(reference.summary)")
            }
            node.refText = text
            pendingReferences.append((index, text, pointer + "/$ref"))
        }

        // Objects
        if let properties = keywords["properties"] {
            guard let members = properties.objectValue else {
                throw SchemaDefinitionError(path: pointer + "/properties", reason: "expected an object, found \(properties.summary)")
            }
            for key in members.keys.sorted() {
                node.properties[key] = try compile(members[key]!, at: pointer + "/properties/" + Self.escape(key))
            }
        }
        if let required = keywords["required"] {
            guard let names = required.arrayValue?.compactMap(\.stringValue), names.count == required.arrayValue?.count else {
                throw SchemaDefinitionError(path: pointer + "/required", reason: "expected an array of strings, found \(required.summary)")
            }
            node.required = names
        }
        if let additional = keywords["additionalProperties"] {
            node.additionalProperties = try compile(additional, at: pointer + "/additionalProperties")
        }
        if let patterns = keywords["patternProperties"] {
            guard let members = patterns.objectValue else {
                throw SchemaDefinitionError(path: pointer + "/patternProperties", reason: "expected an object, found \(patterns.summary)")
            }
            for source in members.keys.sorted() {
                let at = pointer + "/patternProperties/" + Self.escape(source)
                node.patternProperties.append((try pattern(source, at: at), try compile(members[source]!, at: at)))
            }
        }
        node.minProperties = try count(keywords, "minProperties", at: pointer)
        node.maxProperties = try count(keywords, "maxProperties", at: pointer)

        // Arrays: draft 2020-12 `prefixItems` + `items`, and draft-07's array form of `items` + `additionalItems`.
        if let prefix = keywords["prefixItems"] {
            node.prefixItems = try schemaList(prefix, at: pointer + "/prefixItems")
        }
        if let items = keywords["items"] {
            if case .array = items {
                node.prefixItems = try schemaList(items, at: pointer + "/items")
                if let additional = keywords["additionalItems"] {
                    node.items = try compile(additional, at: pointer + "/additionalItems")
                }
            } else {
                node.items = try compile(items, at: pointer + "/items")
            }
        }
        node.minItems = try count(keywords, "minItems", at: pointer)
        node.maxItems = try count(keywords, "maxItems", at: pointer)
        if let unique = keywords["uniqueItems"] {
            guard let flag = unique.boolValue else {
                throw SchemaDefinitionError(path: pointer + "/uniqueItems", reason: "expected a boolean, found \(unique.summary)")
            }
            node.uniqueItems = flag
        }

        // Strings
        node.minLength = try count(keywords, "minLength", at: pointer)
        node.maxLength = try count(keywords, "maxLength", at: pointer)
        if let source = keywords["pattern"] {
            guard let text = source.stringValue else {
                throw SchemaDefinitionError(path: pointer + "/pattern", reason: "expected a string, found \(source.summary)")
            }
            node.pattern = try pattern(text, at: pointer + "/pattern")
        }

        // Numbers: `exclusiveMinimum: true` is draft-04's form (it makes `minimum` exclusive).
        node.minimum = try number(keywords, "minimum", at: pointer)
        node.maximum = try number(keywords, "maximum", at: pointer)
        if case .bool(let exclusive) = keywords["exclusiveMinimum"] {
            if exclusive { (node.exclusiveMinimum, node.minimum) = (node.minimum, nil) }
        } else {
            node.exclusiveMinimum = try number(keywords, "exclusiveMinimum", at: pointer)
        }
        if case .bool(let exclusive) = keywords["exclusiveMaximum"] {
            if exclusive { (node.exclusiveMaximum, node.maximum) = (node.maximum, nil) }
        } else {
            node.exclusiveMaximum = try number(keywords, "exclusiveMaximum", at: pointer)
        }
        node.multipleOf = try number(keywords, "multipleOf", at: pointer)
        if let multiple = node.multipleOf, !(multiple.double > 0) {
            throw SchemaDefinitionError(path: pointer + "/multipleOf", reason: "expected a number > 0, found \(multiple.literal)")
        }

        // Composition
        if let list = keywords["allOf"] { node.allOf = try schemaList(list, at: pointer + "/allOf", nonEmpty: true) }
        if let list = keywords["anyOf"] { node.anyOf = try schemaList(list, at: pointer + "/anyOf", nonEmpty: true) }
        if let list = keywords["oneOf"] { node.oneOf = try schemaList(list, at: pointer + "/oneOf", nonEmpty: true) }
        if let negated = keywords["not"] { node.not = try compile(negated, at: pointer + "/not") }
        if let condition = keywords["if"] {
            node.ifNode = try compile(condition, at: pointer + "/if")
            if let then = keywords["then"] { node.thenNode = try compile(then, at: pointer + "/then") }
            if let otherwise = keywords["else"] { node.elseNode = try compile(otherwise, at: pointer + "/else") }
        }
    }

    // MARK: - Keyword values

    private func types(_ value: JSONValue, at pointer: String) throws(SchemaDefinitionError) -> JSONTypeSet {
        let names: [JSONValue] = if case .array(let items) = value { items } else { [value] }
        var set: JSONTypeSet = []
        for name in names {
            guard let text = name.stringValue, let type = JSONTypeSet(name: text) else {
                throw SchemaDefinitionError(path: pointer,
                    reason: "expected a type name (null, boolean, integer, number, string, array, object) or an array of them, found \(name.summary)")
            }
            set.insert(type)
        }
        return set
    }

    private func count(_ keywords: [String: JSONValue], _ name: String, at pointer: String) throws(SchemaDefinitionError) -> Int? {
        guard let value = keywords[name] else { return nil }
        guard let number = value.numberValue, number.isInteger, number.double >= 0 else {
            throw SchemaDefinitionError(path: pointer + "/" + name, reason: "expected a non-negative integer, found \(value.summary)")
        }
        return number.double >= Double(Int.max) ? Int.max : Int(number.double)
    }

    private func number(_ keywords: [String: JSONValue], _ name: String, at pointer: String) throws(SchemaDefinitionError) -> JSONNumber? {
        guard let value = keywords[name] else { return nil }
        guard let number = value.numberValue else {
            throw SchemaDefinitionError(path: pointer + "/" + name, reason: "expected a number, found \(value.summary)")
        }
        return number
    }

    private func pattern(_ source: String, at pointer: String) throws(SchemaDefinitionError) -> SchemaPattern {
        do throws(PatternSyntaxError) {
            return try SchemaPattern(source)
        } catch {
            throw SchemaDefinitionError(path: pointer, reason: "'\(source)' is not a valid regular expression: \(error)")
        }
    }

    private mutating func schemaList(_ value: JSONValue, at pointer: String, nonEmpty: Bool = false) throws(SchemaDefinitionError) -> [Int] {
        guard let items = value.arrayValue, !(nonEmpty && items.isEmpty) else {
            throw SchemaDefinitionError(path: pointer, reason: "expected a\(nonEmpty ? " non-empty" : "n") array of schemas, found \(value.summary)")
        }
        var indices: [Int] = []
        for (offset, item) in items.enumerated() { indices.append(try compile(item, at: "\(pointer)/\(offset)")) }
        return indices
    }

    // MARK: - References

    /// Resolves a local `$ref` (`#`, `#/$defs/name`, `#/definitions/name`, any
    /// `#/json/pointer`) to its canonical pointer and the subschema there.
    private func resolve(_ reference: String, at pointer: String) throws(SchemaDefinitionError) -> (String, JSONValue) {
        guard reference.hasPrefix("#") else {
            throw SchemaDefinitionError(path: pointer,
                reason: "unsupported $ref '\(reference)': only references within the schema ('#/$defs/…', '#/definitions/…') are resolved")
        }
        let fragment = String(reference.dropFirst()).removingPercentEncoding ?? String(reference.dropFirst())
        if fragment.isEmpty { return ("", document) }
        guard fragment.hasPrefix("/") else {
            throw SchemaDefinitionError(path: pointer, reason: "unsupported $ref '\(reference)': anchors are not resolved, use a JSON pointer ('#/$defs/name')")
        }
        var current = document
        var canonical = ""
        for token in fragment.dropFirst().split(separator: "/", omittingEmptySubsequences: false) {
            let key = token.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
            switch current {
            case .object(let members) where members[key] != nil:
                current = members[key]!
            case .array(let items) where Int(key).map({ items.indices.contains($0) }) == true:
                current = items[Int(key)!]
            default:
                throw SchemaDefinitionError(path: pointer,
                    reason: "$ref '\(reference)' does not resolve: nothing at '\(canonical)/\(Self.escape(key))' in the schema")
            }
            canonical += "/" + Self.escape(key)
        }
        return (canonical, current)
    }

    /// Escapes one JSON pointer token (RFC 6901).
    static func escape(_ token: String) -> String {
        token.replacingOccurrences(of: "~", with: "~0").replacingOccurrences(of: "/", with: "~1")
    }
}
