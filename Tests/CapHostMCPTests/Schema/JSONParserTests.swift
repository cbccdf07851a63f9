import CapHostCore
import CapHostTestSupport
import Testing

/// The strict JSON parser the edges use: values, exact error positions, and
/// hostile input (deep nesting, bad UTF-8, lone surrogates, huge numbers).
@Suite struct JSONParserTests {
    @Test func parsesEveryKindOfValue() throws {
        let value = try JSONValue(parsing: #"{"a": [1, -2.5e3, true, false, null, "x\n\u00e9\ud83d\ude00"], "b": {}}"#)
        #expect(value["a"]?.arrayValue?.count == 6)
        #expect(value["a"]?.arrayValue?[0] == 1)
        #expect(value["a"]?.arrayValue?[1].numberValue?.double == -2500)
        #expect(value["a"]?.arrayValue?[5] == .string("x\né😀"))
        #expect(value["b"] == .object([:]))
        #expect(try JSONValue(parsing: "  42 ") == 42)
        #expect(try JSONValue(parsing: "\"\"") == .string(""))
    }

    @Test func serializesCompactlyWithSortedKeysAndRoundTrips() throws {
        let text = #"{"z":1,"a":[true,null,"q\"\\\u0001"],"m":{"k":-0.5}}"#
        let value = try JSONValue(parsing: text)
        #expect(value.serializedText == #"{"a":[true,null,"q\"\\\u0001"],"m":{"k":-0.5},"z":1}"#)
        #expect(try JSONValue(parsing: value.serialized()) == value)
    }

    @Test func keepsLargeIntegersExactly() throws {
        let value = try JSONValue(parsing: "[18446744073709551616, 9007199254740993, 1.0, 1e400]")
        #expect(value.serializedText == "[18446744073709551616,9007199254740993,1.0,1e400]")
        #expect(value.arrayValue?[1].numberValue?.exactInteger == 9_007_199_254_740_993)
        #expect(value.arrayValue?[2] == 1, "1.0 equals 1")
        #expect(value.arrayValue?[3].numberValue?.double == .infinity)
    }

    @Test(arguments: [
        ("", 1, 1, "empty input"),
        ("{\"a\" 1}", 1, 6, "expected ':' after the object key \"a\", found '1'"),
        ("[1,\n 2,\n]", 3, 1, "expected a value"),
        ("{\"a\":1,}", 1, 8, "expected a string key"),
        ("[1 2]", 1, 4, "expected ',' or ']'"),
        ("01", 1, 2, "leading zero"),
        ("1.", 1, 3, "digit after the decimal point"),
        ("-", 1, 2, "expected a digit after '-'"),
        ("tru", 1, 4, "expected 'true'"),
        ("\"abc", 1, 5, "unterminated string"),
        ("\"a\tb\"", 1, 3, "control character 0x9"),
        ("\"\\x\"", 1, 3, "invalid escape \\'x'"),
        ("\"\\ud800\"", 1, 8, "lone high surrogate"),
        ("\"\\udc00\"", 1, 8, "lone low surrogate"),
        ("\"\\u12G4\"", 1, 6, "hex digit"),
        ("{} x", 1, 4, "unexpected 'x' after the JSON value"),
        ("// comment\n1", 1, 1, "expected a value"),
        ("nul", 1, 4, "expected 'null'"),
    ])
    func reportsWhereAndWhat(text: String, line: Int, column: Int, reason: String) {
        do {
            _ = try JSONValue(parsing: text)
            Issue.record("\(text.debugDescription) parsed")
        } catch {
            #expect(error.line == line, "\(text.debugDescription): \(error)")
            #expect(error.column == column, "\(text.debugDescription): \(error)")
            #expect(error.reason.contains(reason), "\(text.debugDescription): \(error)")
            #expect(error.description.hasPrefix("invalid JSON at line \(line), column \(column) (byte offset "))
        }
    }

    @Test func columnsCountCharactersNotBytes() {
        do {
            _ = try JSONValue(parsing: "[\"é\", x]")
            Issue.record("parsed")
        } catch {
            #expect(error.column == 7)
            #expect(error.offset == 7)
        }
    }

    @Test func refusesInvalidUTF8() {
        let cases: [([UInt8], String)] = [
            ([0x22, 0xFF, 0x22], "cannot start a character"),
            ([0x22, 0xC3, 0x22], "is not a continuation byte"),
            ([0x22, 0xC0, 0x80, 0x22], "cannot start a character"),
            ([0x22, 0xE0, 0x80, 0x80, 0x22], "overlong"),
            ([0x22, 0xED, 0xA0, 0x80, 0x22], "surrogate"),
            ([0x22, 0xF4, 0x90, 0x80, 0x80, 0x22], "out-of-range"),
            ([0x22, 0xE2, 0x82], "truncated"),
            ([0xEF, 0xBB, 0xBF, 0x31], "expected a value"),
        ]
        for (bytes, reason) in cases {
            do {
                _ = try JSONValue(parsing: bytes)
                Issue.record("\(bytes) parsed")
            } catch {
                #expect(error.reason.contains(reason), "\(bytes): \(error)")
            }
        }
    }

    @Test func boundsNestingSoHostileInputCannotExhaustTheStack() throws {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        do {
            _ = try JSONValue(parsing: deep)
            Issue.record("100 000 levels parsed")
        } catch {
            #expect(error.reason == "nesting deeper than 512 levels")
            #expect(error.offset == 512)
        }
        let fine = String(repeating: "{\"a\":", count: 500) + "1" + String(repeating: "}", count: 500)
        #expect(throws: Never.self) { try JSONValue(parsing: fine) }
    }

    @Test func survivesRandomGarbage() {
        var generator = SeededGenerator(seed: 0x5EED)
        let alphabet = Array("{}[]\":,.-+eE0123456789 truefalsn\\u\n\t".utf8) + [0xC3, 0xA9, 0xFF, 0x00]
        var parsed = 0
        for _ in 0..<5_000 {
            let length = Int.random(in: 0...40, using: &generator)
            let bytes = (0..<length).map { _ in alphabet.randomElement(using: &generator)! }
            do {
                let value = try JSONValue(parsing: bytes)
                // Whatever parses must round-trip.
                #expect(try JSONValue(parsing: value.serialized()) == value)
                parsed += 1
            } catch {
                #expect(error.offset <= bytes.count)
                #expect(error.line >= 1 && error.column >= 1)
            }
        }
        #expect(parsed > 0)
    }
}
