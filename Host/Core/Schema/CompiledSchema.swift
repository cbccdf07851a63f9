/// A JSON Schema compiled once and used for any number of payloads.
///
/// The supported subset is what plugin authors write: `type` (one or an array;
/// `integer` vs `number`), `enum`, `const`, `properties`, `required`,
/// `additionalProperties`, `patternProperties`, `min/maxProperties`, `items`
/// (schema or draft-07 tuple + `additionalItems`), `prefixItems`,
/// `min/maxItems`, `uniqueItems`, `min/maxLength`, `pattern`,
/// `minimum`/`maximum`/`exclusiveMinimum`/`exclusiveMaximum` (draft-04
/// booleans too), `multipleOf`, `allOf`/`anyOf`/`oneOf`/`not`,
/// `if`/`then`/`else`, and `$ref` within the document (`#/$defs/…`,
/// `#/definitions/…`). `format` and other annotations are ignored.
public struct CompiledSchema: Sendable {
    /// How deep subschemas may nest while validating one value (guards `$ref` cycles
    /// that consume nothing, such as `{"$ref": "#"}`).
    public static let maximumEvaluationDepth = 256

    let nodes: [SchemaNode]
    let root: Int
    /// True when the schema constrains nothing (`{}`, `true`, only annotations):
    /// the edge then skips parsing the payload altogether.
    public let acceptsAnything: Bool

    /// Compiles schema text. Throws naming where in the schema the problem is.
    public init(_ text: String) throws(SchemaDefinitionError) {
        self = try SchemaCompiler.compile(text)
    }

    init(nodes: [SchemaNode], root: Int, acceptsAnything: Bool) {
        self.nodes = nodes
        self.root = root
        self.acceptsAnything = acceptsAnything
    }

    /// The first `limit` violations of `value` (empty when it is valid).
    public func violations(of value: JSONValue, limit: Int = 5) -> [SchemaViolation] {
        var evaluation = SchemaEvaluation(nodes: nodes, limit: max(1, limit))
        evaluation.evaluate(value, root, depth: 0)
        return evaluation.violations
    }

    /// Checks a parsed value; throws `.violations` (at most `limit`).
    public func validate(_ value: JSONValue, limit: Int = 5) throws(SchemaValidationError) {
        let found = violations(of: value, limit: limit)
        if !found.isEmpty { throw .violations(found) }
    }

    /// Checks JSON bytes: `.invalidJSON` when they do not parse, `.violations`
    /// when they break the schema. A schema that accepts anything does not parse.
    public func validate(payload: [UInt8], limit: Int = 5) throws(SchemaValidationError) {
        if acceptsAnything { return }
        let result = payload.withUnsafeBytes { bytes -> Result<Void, SchemaValidationError> in
            do throws(SchemaValidationError) {
                return .success(try validate(payload: bytes, limit: limit))
            } catch {
                return .failure(error)
            }
        }
        try result.get()
    }

    /// The same check on bytes the caller owns (no copy is made).
    public func validate(payload: UnsafeRawBufferPointer, limit: Int = 5) throws(SchemaValidationError) {
        if acceptsAnything { return }
        let value: JSONValue
        do {
            value = try JSONValue(parsing: payload)
        } catch {
            throw .invalidJSON(error)
        }
        try validate(value, limit: limit)
    }
}
