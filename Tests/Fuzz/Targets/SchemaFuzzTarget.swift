import CapHostCore

/// `schema`: the JSON Schema compiler and validator. The input is schema text, a NUL
/// byte, then a payload (no NUL: the whole input is both). The schema is compiled as a
/// plugin's `input_schema` is, and the payload validated as the edges validate a call;
/// the edge's validator, the compiled schema and its violation list must agree.
enum SchemaFuzzTarget {
    static let target = FuzzTarget(
        name: "schema",
        summary: "schema text, a NUL byte, a payload: compiled by SchemaCompiler, validated by CompiledSchema",
        dictionary: "schema.dict"
    ) { input throws(FuzzFinding) in
        let split = input.firstIndex(of: 0)
        let schemaText = String(decoding: input[..<(split ?? input.endIndex)], as: UTF8.self)
        let payload = split.map { Array(input[input.index(after: $0)...]) } ?? input
        let edge = JSONSchemaValidator(cacheCapacity: 4, violationLimit: 5)

        let schema: CompiledSchema
        do throws(SchemaDefinitionError) {
            schema = try CompiledSchema(schemaText)
        } catch {
            let atEdge = outcome { () throws(SchemaValidationError) in try edge.validate(payload: payload, against: schemaText) }
            guard atEdge == "invalid_schema" else {
                throw FuzzFinding("schema", "the edge answered \(atEdge), not invalid_schema, for a schema that does not compile (\(error))")
            }
            return
        }

        let direct = outcome { () throws(SchemaValidationError) in try schema.validate(payload: payload) }
        let atEdge = outcome { () throws(SchemaValidationError) in try edge.validate(payload: payload, against: schemaText) }
        guard direct == atEdge else {
            throw FuzzFinding("schema", "the compiled schema says \(direct), the edge's validator says \(atEdge)")
        }
        guard !schema.acceptsAnything, let value = try? JSONValue(parsing: payload) else { return }
        let found = schema.violations(of: value, limit: 5)
        let first = schema.violations(of: value, limit: 1)
        guard found.count <= 5, first.count <= 1, found.isEmpty == first.isEmpty, found.isEmpty == (direct == "valid") else {
            throw FuzzFinding("schema", "\(found.count) violations at limit 5, \(first.count) at limit 1, while validation says \(direct)")
        }
    }

    /// `valid`, or the refusal's code.
    private static func outcome(_ check: () throws(SchemaValidationError) -> Void) -> String {
        do throws(SchemaValidationError) {
            try check()
            return "valid"
        } catch {
            return error.code
        }
    }
}
