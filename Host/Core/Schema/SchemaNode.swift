/// One compiled subschema. Children are indices into `CompiledSchema.nodes`,
/// which is what lets `$ref` cycles (recursive schemas) exist in a value type.
struct SchemaNode: Sendable {
    /// The `false` schema: nothing is valid.
    var rejectsEverything = false
    var types: JSONTypeSet?
    var enumValues: [JSONValue]?
    var constValue: JSONValue?
    var ref: Int?
    /// The `$ref` text, for messages about recursion.
    var refText: String?

    // Objects
    var properties: [String: Int] = [:]
    var required: [String] = []
    var additionalProperties: Int?
    var patternProperties: [(pattern: SchemaPattern, node: Int)] = []
    var minProperties: Int?
    var maxProperties: Int?

    // Arrays
    var prefixItems: [Int] = []
    /// Applies to the items after `prefixItems` (or to every item).
    var items: Int?
    var minItems: Int?
    var maxItems: Int?
    var uniqueItems = false

    // Strings
    var minLength: Int?
    var maxLength: Int?
    var pattern: SchemaPattern?

    // Numbers
    var minimum: JSONNumber?
    var maximum: JSONNumber?
    var exclusiveMinimum: JSONNumber?
    var exclusiveMaximum: JSONNumber?
    var multipleOf: JSONNumber?

    // Composition
    var allOf: [Int] = []
    var anyOf: [Int] = []
    var oneOf: [Int] = []
    var not: Int?
    var ifNode: Int?
    var thenNode: Int?
    var elseNode: Int?
}
