import CapHostCore
import Testing

/// The schema subset plugin authors use, with messages that name the path,
/// what was expected and what was found.
@Suite struct JSONSchemaValidatorTests {
    let validator = JSONSchemaValidator(cacheCapacity: 64)

    /// The violations of `payload` against `schema` as `path: expected …, found …` lines.
    func violations(_ payload: String, _ schema: String) -> [String] {
        do {
            try validator.validate(payload: Array(payload.utf8), against: schema)
            return []
        } catch {
            switch error {
            case .violations(let found): return found.map(\.description)
            default: return ["\(error.code): \(error)"]
            }
        }
    }

    static let mail = #"""
    {"type": "object",
     "properties": {
       "to": {"type": "array", "items": {"type": "string", "pattern": "^[^@]+@[^@]+$"}, "minItems": 1, "maxItems": 3},
       "subject": {"type": "string", "minLength": 1, "maxLength": 10},
       "priority": {"type": "integer", "minimum": 1, "maximum": 5},
       "mode": {"enum": ["text", "html"]},
       "tags": {"type": "array", "uniqueItems": true},
       "meta": {"type": "object", "additionalProperties": {"type": "string"}}
     },
     "required": ["to", "subject"],
     "additionalProperties": false}
    """#

    @Test func acceptsAValidPayload() {
        #expect(violations(#"{"to": ["a@b.c"], "subject": "hi", "priority": 2, "mode": "text", "tags": [1, 2], "meta": {"k": "v"}}"#, Self.mail) == [])
    }

    @Test func namesThePathTheExpectationAndTheFinding() {
        #expect(violations(#"{"to": [3], "subject": "hi"}"#, Self.mail) == ["/to/0: expected string, found number 3"])
        #expect(violations(#"{"subject": "hi"}"#, Self.mail) == [#"/to: expected required property "to", found nothing"#])
        #expect(violations(#"{"to": ["x"], "subject": "hi"}"#, Self.mail)
                == [#"/to/0: expected a string matching /^[^@]+@[^@]+$/, found string "x""#])
        #expect(violations(#"{"to": [], "subject": ""}"#, Self.mail) == [
            "/subject: expected a string of at least 1 character, found string \"\" (0 characters)",
            "/to: expected an array of at least 1 item, found array of 0 items",
        ])
        #expect(violations(#"{"to": ["a@b"], "subject": "hi", "priority": 2.5}"#, Self.mail)
                == ["/priority: expected integer, found number 2.5"])
        #expect(violations(#"{"to": ["a@b"], "subject": "hi", "priority": 9}"#, Self.mail)
                == ["/priority: expected a number <= 5, found number 9"])
        #expect(violations(#"{"to": ["a@b"], "subject": "hi", "mode": "pdf"}"#, Self.mail)
                == [#"/mode: expected one of ["text", "html"], found string "pdf""#])
        #expect(violations(#"{"to": ["a@b"], "subject": "hi", "cc": "x"}"#, Self.mail)
                == [#"/cc: expected no property "cc" (additionalProperties is false; allowed: meta, mode, priority, subject, tags, to), found string "x""#])
        #expect(violations(#"{"to": ["a@b"], "subject": "hi", "tags": ["a", "b", "a"]}"#, Self.mail)
                == [#"/tags: expected unique items, found item 2 equal to item 0 (string "a")"#])
        #expect(violations(#"{"to": ["a@b"], "subject": "hi", "meta": {"n": 1}}"#, Self.mail)
                == ["/meta/n: expected string, found number 1"])
        #expect(violations("[1]", Self.mail) == ["(root): expected object, found array of 1 item"])
    }

    @Test func reportsAtMostAFewViolations() {
        let payload = #"{"to": [1, 2, 3, 4], "subject": 5, "priority": "x", "mode": 1, "a": 1, "b": 2}"#
        let found = violations(payload, Self.mail)
        #expect(found.count == 5)
    }

    @Test func typeArraysAndIntegerVersusNumber() {
        let schema = #"{"type": ["integer", "null"]}"#
        #expect(violations("3", schema) == [])
        #expect(violations("3.0", schema) == [], "3.0 has no fractional part")
        #expect(violations("null", schema) == [])
        #expect(violations("3.5", schema) == ["(root): expected integer or null, found number 3.5"])
        #expect(violations("\"3\"", schema) == [#"(root): expected integer or null, found string "3""#])
        #expect(violations("true", #"{"type": "number"}"#) == ["(root): expected number, found boolean true"])
    }

    @Test func numberBounds() {
        #expect(violations("0", #"{"exclusiveMinimum": 0}"#) == ["(root): expected a number > 0, found number 0"])
        #expect(violations("10", #"{"exclusiveMaximum": 10}"#) == ["(root): expected a number < 10, found number 10"])
        #expect(violations("5", #"{"minimum": 5, "exclusiveMinimum": true}"#) == ["(root): expected a number > 5, found number 5"], "draft-04 form")
        #expect(violations("-1", #"{"minimum": 0}"#) == ["(root): expected a number >= 0, found number -1"])
        #expect(violations("0.3", #"{"multipleOf": 0.1}"#) == [])
        #expect(violations("7", #"{"multipleOf": 2}"#) == ["(root): expected a multiple of 2, found number 7"])
        #expect(violations("9223372036854775807", #"{"maximum": 9223372036854775806}"#).count == 1, "compared exactly as integers")
    }

    @Test func stringLengthCountsCharacters() {
        #expect(violations(#""😀😀""#, #"{"maxLength": 2}"#) == [])
        #expect(violations(#""😀😀😀""#, #"{"maxLength": 2}"#) == [#"(root): expected a string of at most 2 characters, found string "😀😀😀" (3 characters)"#])
    }

    @Test func constAndEnumCompareNumbersByValue() {
        #expect(violations("1.0", #"{"const": 1}"#) == [])
        #expect(violations(#"{"a": [1, 2]}"#, #"{"const": {"a": [1, 2]}}"#) == [])
        #expect(violations(#"{"a": [2, 1]}"#, #"{"const": {"a": [1, 2]}}"#) == [#"(root): expected the constant {"a":[1,2]}, found object with 1 property"#])
        #expect(violations("2", #"{"enum": [1, "2", null]}"#) == [#"(root): expected one of [1, "2", null], found number 2"#])
    }

    @Test func tupleItemsInBothDrafts() {
        let draft07 = #"{"items": [{"type": "string"}, {"type": "integer"}], "additionalItems": false}"#
        #expect(violations(#"["a", 1]"#, draft07) == [])
        #expect(violations(#"["a", "b"]"#, draft07) == [#"/1: expected integer, found string "b""#])
        #expect(violations(#"["a", 1, true]"#, draft07) == ["/2: expected no item at index 2 (the array allows 2 items), found boolean true"])
        let draft2020 = #"{"prefixItems": [{"const": "op"}], "items": {"type": "number"}}"#
        #expect(violations(#"["op", 1, 2.5]"#, draft2020) == [])
        #expect(violations(#"["op", 1, "x"]"#, draft2020) == [#"/2: expected number, found string "x""#])
    }

    @Test func compositionNamesTheClosestBranch() {
        let anyOf = #"{"anyOf": [{"type": "string"}, {"type": "object", "properties": {"n": {"type": "integer"}}, "required": ["n"]}]}"#
        #expect(violations(#""x""#, anyOf) == [])
        #expect(violations(#"{"n": 1}"#, anyOf) == [])
        #expect(violations(#"{"n": "1"}"#, anyOf) == [
            #"(root): expected a value matching at least one of the 2 schemas in anyOf, found object with 1 property (closest: /n: expected integer, found string "1")"#,
        ])
        let oneOf = #"{"oneOf": [{"type": "integer"}, {"type": "number", "minimum": 0}]}"#
        #expect(violations("-1", oneOf) == [])
        #expect(violations("1.5", oneOf) == [])
        #expect(violations("2", oneOf) == ["(root): expected a value matching exactly one of the 2 schemas in oneOf, found number 2 matching 2 of them (oneOf/0, oneOf/1)"])
        #expect(violations(#""x""#, oneOf).first?.hasPrefix("(root): expected a value matching exactly one of the 2 schemas in oneOf, found string \"x\" matching none") == true)
        let allOf = #"{"allOf": [{"required": ["a"]}, {"required": ["b"]}]}"#
        #expect(violations(#"{"a": 1}"#, allOf) == [#"/b: expected required property "b", found nothing"#])
        #expect(violations("1", #"{"not": {"type": "integer"}}"#) == ["(root): expected a value that does not match the schema in 'not', found number 1"])
        let conditional = #"{"if": {"properties": {"kind": {"const": "mail"}}}, "then": {"required": ["to"]}, "else": {"required": ["url"]}}"#
        #expect(violations(#"{"kind": "mail", "to": "x"}"#, conditional) == [])
        #expect(violations(#"{"kind": "mail"}"#, conditional) == [#"/to: expected required property "to", found nothing"#])
        #expect(violations(#"{"kind": "hook"}"#, conditional) == [#"/url: expected required property "url", found nothing"#])
    }

    @Test func localReferencesIncludingRecursion() {
        let tree = ##"""
        {"$defs": {"node": {"type": "object",
                            "properties": {"value": {"type": "integer"},
                                           "children": {"type": "array", "items": {"$ref": "#/$defs/node"}}},
                            "required": ["value"]}},
         "$ref": "#/$defs/node"}
        """##
        #expect(violations(#"{"value": 1, "children": [{"value": 2, "children": [{"value": 3}]}]}"#, tree) == [])
        #expect(violations(#"{"value": 1, "children": [{"value": 2, "children": [{"value": "3"}]}]}"#, tree)
                == [#"/children/0/children/0/value: expected integer, found string "3""#])
        let draft07 = ##"{"definitions": {"a~b/c": {"type": "string"}}, "properties": {"x": {"$ref": "#/definitions/a~0b~1c"}}}"##
        #expect(violations(#"{"x": 1}"#, draft07) == ["/x: expected string, found number 1"])
        let root = ##"{"type": "array", "items": {"$ref": "#"}}"##
        #expect(violations("[[[], [[]]]]", root) == [])
        #expect(violations("[[1]]", root) == ["/0/0: expected array, found number 1"])
    }

    @Test func aReferenceCycleThatConsumesNothingIsStoppedWithAMessage() {
        let cycle = ##"{"$defs": {"a": {"$ref": "#/$defs/b"}, "b": {"$ref": "#/$defs/a"}}, "$ref": "#/$defs/a"}"##
        let found = violations("1", cycle)
        #expect(found.count == 1)
        #expect(found.first?.contains("nested subschemas (is there a $ref cycle through '#/$defs/") == true, "\(found)")
    }

    @Test func patternPropertiesAndPropertyCounts() {
        let schema = #"{"patternProperties": {"^x-": {"type": "string"}}, "additionalProperties": false, "maxProperties": 2}"#
        #expect(violations(#"{"x-a": "1"}"#, schema) == [])
        #expect(violations(#"{"x-a": 1}"#, schema) == ["/x-a: expected string, found number 1"])
        #expect(violations(#"{"y": "1"}"#, schema) == [#"/y: expected no property "y" (additionalProperties is false; allowed: none and names matching patternProperties), found string "1""#])
        #expect(violations(#"{"x-a": "1", "x-b": "2", "x-c": "3"}"#, schema) == ["(root): expected an object with at most 2 properties, found object with 3 properties"])
    }

    @Test func pointerTokensAreEscaped() {
        #expect(violations(#"{"a/b": {"c~d": 1}}"#, #"{"properties": {"a/b": {"properties": {"c~d": {"type": "string"}}}}}"#)
                == ["/a~1b/c~0d: expected string, found number 1"])
    }

    @Test func emptySchemaAcceptsAnythingWithoutParsing() throws {
        for schema in ["{}", "true", #"{"description": "anything", "$schema": "https://json-schema.org/draft/2020-12/schema"}"#] {
            let compiled = try validator.compiled(schema)
            #expect(compiled.acceptsAnything)
            #expect(throws: Never.self) { try compiled.validate(payload: Array("not json at all".utf8)) }
        }
        #expect(violations("1", "false") == ["(root): expected nothing (the schema here is false), found number 1"])
        #expect(try validator.compiled(#"{"type": "object"}"#).acceptsAnything == false)
    }

    @Test func invalidJSONNamesLineAndColumn() {
        #expect(violations("{\n  \"to\": [1,]\n}", Self.mail)
                == ["invalid_json: invalid JSON at line 2, column 12 (byte offset 13): expected a value (object, array, string, number, true, false or null), found ']'"])
    }

    @Test(arguments: [
        (#"{"type": "strin"}"#, "/type", "expected a type name"),
        (#"{"minLength": -1}"#, "/minLength", "expected a non-negative integer, found number -1"),
        (#"{"properties": {"a": 3}}"#, "/properties/a", "a schema must be an object or a boolean, found number 3"),
        (#"{"required": "a"}"#, "/required", "expected an array of strings"),
        (#"{"pattern": "("}"#, "/pattern", "is not a valid regular expression"),
        (##"{"$ref": "#/$defs/missing"}"##, "/$ref", "does not resolve: nothing at '/$defs'"),
        (#"{"$ref": "other.json#/a"}"#, "/$ref", "only references within the schema"),
        (#"{"anyOf": []}"#, "/anyOf", "expected a non-empty array of schemas"),
        (#"{"multipleOf": 0}"#, "/multipleOf", "expected a number > 0"),
        (#"{"enum": 1}"#, "/enum", "expected an array"),
        ("{", "", "the schema text is not JSON"),
        ("[]", "", "a schema must be an object or a boolean"),
    ])
    func refusesAnUnusableSchema(schema: String, path: String, reason: String) {
        do {
            _ = try validator.compiled(schema)
            Issue.record("\(schema) compiled")
        } catch {
            #expect(error.path == path, "\(error)")
            #expect(error.reason.contains(reason), "\(error)")
        }
        #expect(throws: SchemaValidationError.self) { try validator.validate(payload: Array("1".utf8), against: schema) }
    }

    @Test func compiledSchemasAreCachedByText() throws {
        let validator = JSONSchemaValidator(cacheCapacity: 2)
        try validator.validate(payload: Array("1".utf8), against: #"{"type": "integer"}"#)
        try validator.validate(payload: Array("2".utf8), against: #"{"type": "integer"}"#)
        #expect(validator.cachedSchemaCount == 1)
        try validator.validate(payload: Array("\"a\"".utf8), against: #"{"type": "string"}"#)
        try validator.validate(payload: Array("true".utf8), against: #"{"type": "boolean"}"#)
        #expect(validator.cachedSchemaCount == 2, "bounded by the capacity")
    }

    @Test func hostilePayloadsStayCheap() throws {
        // 200 000 items checked for uniqueness by hashing, not pairwise.
        let items = (0..<200_000).map(String.init).joined(separator: ",")
        let clock = ContinuousClock()
        let elapsed = try clock.measure {
            try validator.validate(payload: Array("[\(items)]".utf8), against: #"{"type": "array", "uniqueItems": true, "items": {"type": "integer"}}"#)
        }
        #expect(elapsed < .seconds(5))
        // A megabyte string against a pattern and a length limit.
        let long = String(repeating: "a", count: 1_000_000)
        #expect(violations("\"\(long)\"", #"{"pattern": "^a+$", "maxLength": 10}"#).count == 1)
    }
}
