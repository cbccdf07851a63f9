import CapHostCore

/// Schema `pattern` matching: the host's linear-time automaton (`SchemaPattern`) beside
/// Swift's backtracking `Regex` (what it replaced), in the same run — on the patterns
/// plugin schemas use, where the automaton must stay close, and on `^(a+)+$` against
/// `a…a!`, where backtracking doubles with every `a` and the automaton grows linearly.
struct SchemaPatternBenchmark {
    struct Case: Encodable {
        let pattern: String
        let text: String
        let matched: Bool
        /// Median nanoseconds per search over the runs.
        let hostNanoseconds: Double
        let regexNanoseconds: Double
        let regexAgrees: Bool
    }

    struct Growth: Encodable {
        let pattern = "^(a+)+$"
        /// How many `a`s before the `!`.
        let length: Int
        let hostNanoseconds: Double
        /// Nil where the regex would take too long to run here.
        let regexNanoseconds: Double?
    }

    struct Figure: Encodable {
        let measures = "one search of text for pattern, median of the runs: SchemaPattern (the host's automaton, as the schema validator calls it) beside Swift Regex with unicodeScalar semantics (the engine the host used before)"
        let cases: [Case]
        let backtracking: [Growth]
    }

    static func run(_ context: BenchContext) throws(BenchError) -> Figure {
        let runs = context.options.runs
        let identifier = "bench-plugin_v2.release-candidate.2026-12"
        let megabyte = String(repeating: "a", count: 1 << 20)
        let typical: [(String, String, String, Int)] = [
            ("^[a-zA-Z0-9._-]{1,128}$", identifier, identifier, 2_000),
            ("^[^@]+@[^@]+$", "operations@example.org", "operations@example.org", 20_000),
            ("^[A-Za-z0-9_.-]+:[A-Za-z0-9_.-]+:[A-Za-z0-9_.-]+$", "adapter:storage:s3-eu", "adapter:storage:s3-eu", 10_000),
            ("^a+$", megabyte, "a × 1 MiB", 1),
        ]
        var cases: [Case] = []
        for (pattern, text, shown, repeats) in typical {
            let host = try compile(pattern)
            let regex = try regexFor(pattern)
            let matched = host.matches(text)
            cases.append(Case(pattern: pattern, text: shown, matched: matched,
                              hostNanoseconds: try time(runs: runs, repeats: repeats) { host.matches(text) },
                              regexNanoseconds: try time(runs: runs, repeats: repeats) { (try? regex.firstMatch(in: text)) != nil },
                              regexAgrees: ((try? regex.firstMatch(in: text)) != nil) == matched))
        }
        let nested = try compile("^(a+)+$")
        let nestedRegex = try regexFor("^(a+)+$")
        var growth: [Growth] = []
        for length in [8, 10, 12, 14, 1_000, 100_000] {
            let text = String(repeating: "a", count: length) + "!"
            let regex: Double? = length <= 14 ? try time(runs: 3, repeats: 1) { (try? nestedRegex.firstMatch(in: text)) != nil } : nil
            growth.append(Growth(length: length, hostNanoseconds: try time(runs: 3, repeats: 1) { nested.matches(text) },
                                 regexNanoseconds: regex))
        }
        return Figure(cases: cases, backtracking: growth)
    }

    private static func compile(_ pattern: String) throws(BenchError) -> SchemaPattern {
        do throws(PatternSyntaxError) {
            return try SchemaPattern(pattern)
        } catch {
            throw BenchError("\(pattern): \(error)")
        }
    }

    private static func regexFor(_ pattern: String) throws(BenchError) -> Regex<AnyRegexOutput> {
        do {
            return try Regex(pattern).matchingSemantics(.unicodeScalar)
        } catch {
            throw BenchError("\(pattern) as a Swift Regex: \(error)")
        }
    }

    /// Median nanoseconds per search over `runs` runs of `repeats` searches (`CallTiming`); a
    /// search that answers otherwise than the first one counts as failed, and fails the section.
    private static func time(runs: Int, repeats: Int, _ search: () -> Bool) throws(BenchError) -> Double {
        let answer = search()
        let timing = CallTiming.measure(runs: runs, callsPerRun: repeats, batch: repeats, warmup: 0) { search() == answer }
        guard timing.failedCalls == 0 else { throw BenchError("a search answered differently across calls") }
        return timing.medianCallNanoseconds
    }
}
