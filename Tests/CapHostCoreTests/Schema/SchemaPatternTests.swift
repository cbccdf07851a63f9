@testable import CapHostCore
import Testing

/// `pattern` as JSON Schema reads it (ECMA-262 over Unicode scalars, an unanchored
/// search), matched without backtracking.
@Suite struct SchemaPatternTests {
    func matches(_ pattern: String, _ text: String) throws -> Bool {
        try SchemaPattern(pattern).matches(text)
    }

    @Test(arguments: [
        ("^[^@]+@[^@]+$", "a@b", true), ("^[^@]+@[^@]+$", "a@b@c", false),
        ("abc", "xxabcxx", true), ("abc", "xxabxcx", false),
        ("^abc$", "abc\n", false), ("^a.c$", "a\nc", false), ("a.c", "abc", true),
        (#"^\d{3}-\d{4}$"#, "555-1234", true), (#"^\d{3}-\d{4}$"#, "55-1234", false),
        ("^[a-zA-Z0-9._-]{1,128}$", String(repeating: "x", count: 128), true),
        ("^[a-zA-Z0-9._-]{1,128}$", String(repeating: "x", count: 129), false),
        ("^[a-zA-Z0-9._-]{1,128}$", "", false), ("^[a-zA-Z0-9._-]{1,128}$", "a b", false),
        ("^(a|ab)(c|bcd)(d*)$", "abcd", true), ("colou?r", "the color", true),
        (#"^\bword\b"#, "word!", true), (#"\Bor\B"#, "word", true), (#"\bor"#, "word", false),
        (#"^\p{Lu}\p{Ll}+$"#, "Élan", true), (#"^\p{Lu}\p{Ll}+$"#, "élan", false),
        (#"^\P{L}+$"#, "123", true), (#"^\p{gc=Nd}$"#, "٣", true), (#"^\p{Letter}+$"#, "abc1", false),
        (#"^[\w-]+$"#, "a-b_c", true), (#"^\u00e9\x41\u{1F600}$"#, "éA😀", true),
        ("^(?:ab)+$", "ababab", true), ("^(?:ab)+$", "ababa", false),
        (#"^(?<year>\d{4})-\d{2}$"#, "2026-12", true),
        ("^a{2,}$", "a", false), ("^a{2,}$", "aaaa", true), ("^a{0}b$", "b", true),
        ("^a+?$", "aaa", true), ("^[^]$", "\n", true), ("^[]$", "", false),
        (#"^\s+$"#, " \t\u{2028}\u{FEFF}", true), (#"^\S$"#, " ", false),
        ("^a{$", "a{", true), ("^a{1,x}$", "a{1,x}", true), ("^]}$", "]}", true),
        (#"^\.\/\\$"#, #"./\"#, true), (#"^[a\-z]$"#, "-", true), (#"^[a\-z]$"#, "b", false),
        (#"^[\d-x]$"#, "-", true), (#"^[\d-x]$"#, "5", true), (#"^[\d-x]$"#, "w", false),
        ("^(a*)*$", "aaaa", true), ("^(a*)*$", "aab", false), ("^()*$", "", true),
        ("^.$", "é", true), ("^.$", "e\u{301}", false), (#"^\cJ$"#, "\n", true), (#"^[\b]$"#, "\u{8}", true),
        ("(^a|b$)", "xb", true), ("(^a|b$)", "xa", false), ("", "anything", true),
    ])
    func matchesAsECMA262Does(pattern: String, text: String, expected: Bool) throws {
        #expect(try matches(pattern, text) == expected, "\(pattern) against \(text.debugDescription)")
    }

    /// Constructs that need backtracking are refused with the reason, as is every syntax
    /// error, each with the offset where it was found.
    @Test(arguments: [
        ("(", "missing ')' for the group opened at offset 0 (at offset 1)"),
        ("a)", "unmatched ')' (at offset 1)"),
        ("(?=a)", "lookahead assertions are not supported: the host matches patterns in linear time, without backtracking (at offset 0)"),
        ("x(?!a)", "lookahead assertions are not supported: the host matches patterns in linear time, without backtracking (at offset 1)"),
        ("(?<=a)b", "lookbehind assertions are not supported: the host matches patterns in linear time, without backtracking (at offset 0)"),
        ("(?<!a)b", "lookbehind assertions are not supported: the host matches patterns in linear time, without backtracking (at offset 0)"),
        (#"(a)\1"#, "backreferences are not supported: the host matches patterns in linear time, without backtracking (at offset 3)"),
        (#"(?<x>a)\k<x>"#, "backreferences are not supported: the host matches patterns in linear time, without backtracking (at offset 7)"),
        ("*a", "nothing to repeat before '*' (at offset 0)"),
        ("a**", "nothing to repeat before '*' (at offset 2)"),
        ("a{1,2}{3}", "nothing to repeat before '{' (at offset 6)"),
        ("^*", "a quantifier cannot follow the assertion '^' (at offset 1)"),
        ("[a", "missing ']' for the class opened at offset 0 (at offset 2)"),
        ("[z-a]", "the range 'z-a' is out of order (at offset 1)"),
        ("a{3,2}", "the repetition {3,2} has its numbers out of order (at offset 1)"),
        ("a\\", "the pattern ends with a lone '\\' (at offset 1)"),
        (#"\q"#, #"'\q' is not an escape ECMA-262 defines (at offset 0)"#),
        (#"\xZZ"#, #"expected 2 hex digits after '\x' (at offset 0)"#),
        (#"\u{110000}"#, #"'\u{…}' must name a Unicode scalar in hex (at offset 0)"#),
        (#"\p{Klingon}"#, "unknown Unicode property 'Klingon' (expected a general category such as L, Lu, Nd or Letter, or Any, ASCII, Alphabetic, White_Space, Uppercase, Lowercase) (at offset 0)"),
        (#"\p{"# + String(repeating: "x", count: 100_000) + "}",
         "unknown Unicode property '\(String(repeating: "x", count: 40))…' (expected a general category such as L, Lu, Nd or Letter, or Any, ASCII, Alphabetic, White_Space, Uppercase, Lowercase) (at offset 0)"),
        ("(?x)", "'(?' must begin '(?:', '(?<name>', or a lookaround (at offset 0)"),
        ("a{99999}", "a repetition count is larger than 10000 (at offset 2)"),
        (String(repeating: "(", count: 100_000), "groups nest deeper than 100 (at offset 100)"),
        ("(a{100}){100}", "the pattern needs 10000 steps once its {n,m} repetitions are written out, more than the 4096 the host allows (at offset 0)"),
    ])
    func refusesWithTheReasonAndOffset(pattern: String, reason: String) {
        #expect(throws: PatternSyntaxError.self) { try SchemaPattern(pattern) }
        do {
            _ = try SchemaPattern(pattern)
        } catch {
            #expect(error.description == reason, "\(pattern)")
        }
    }

    /// The patterns that make a backtracking engine take exponential time (each a
    /// fuzzing finding or a textbook case) answer here; a regression hangs the test.
    @Test(arguments: [
        ("^(a+)+$", String(repeating: "a", count: 5_000) + "!"),
        ("^(a|a)*$", String(repeating: "a", count: 5_000) + "!"),
        ("(x+x+)+y", String(repeating: "x", count: 5_000)),
        (#"^(\w+\s?)*$"#, String(repeating: "word ", count: 2_000) + "!"),
        ("^(a|aa)+$", String(repeating: "a", count: 5_000) + "b"),
    ])
    func catastrophicBacktrackingPatternsAnswerInLinearTime(pattern: String, text: String) throws {
        #expect(try matches(pattern, text) == false)
        #expect(try matches(pattern, String(text.dropLast())) == !pattern.hasSuffix("y"))
    }

    /// A megabyte of text is searched to its end (ICU gives up on such inputs).
    @Test func aLongTextIsSearchedToTheEnd() throws {
        let long = String(repeating: "a", count: 1_000_000)
        #expect(try matches("^a+$", long))
        #expect(try matches("b", long + "b"))
        #expect(try matches("^a+$", long + "b") == false)
    }
}
