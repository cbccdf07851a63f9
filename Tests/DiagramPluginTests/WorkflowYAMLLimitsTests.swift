import CapHostCore
import CapHostTestSupport
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// `render_workflow` bounds what YAML may expand to before anything is built from it: a
/// "billion laughs" of a few hundred bytes is refused at once (it used to grow the host past
/// 5 GB), naming the limit, where it was hit and what was found; anchors and aliases within
/// the limits still work.
@Suite(.serialized) struct WorkflowYAMLLimitsTests {
    /// Nine levels of nine aliases each: 9^9 "lol"s once expanded, 560 bytes written.
    static let billionLaughs = """
        name: bomb
        a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
        b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
        c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
        d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
        e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
        f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
        g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
        h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
        i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
        steps: *i

        """

    @Test func aBillionLaughsIsRefusedBeforeItExpands() async throws {
        #expect(Self.billionLaughs.utf8.count < 600)
        try await DiagramHost.with { host in
            let before = Self.peakResidentKiB()
            let clock = ContinuousClock()
            let started = clock.now
            let error = try await host.failure("mermaid", "render_workflow", payload: ["yaml": Self.billionLaughs])
            print("diagram yaml bomb: refused in \(clock.now - started); peak RSS \(before / 1024) MiB before, \(Self.peakResidentKiB() / 1024) MiB after")
            #expect(error.code == .invalidArgument)
            // Line 7 (`f:`) holds the first alias that takes the count past the limit: *e repeats
            // 66,430 nodes (e: 1 sequence + 9 × d's 7,381).
            #expect(error.message.contains(
                "yaml: line 7, column 8: too many nodes once aliases are expanded: expected at most 100000, found "),
                "\(error.message)")
            // 74,742 nodes before it (the root, name, a … e and their keys, f's key and sequence).
            #expect(error.message.hasSuffix("found 141172 at alias *e, which repeats 66430 nodes"), "\(error.message)")

            // The same bomb with the aliases as mapping keys: Yams would hash every key while
            // composing, walking the whole expansion, before any check of the plugin's own.
            let keyed = Self.billionLaughs.replacingOccurrences(of: "steps: *i", with: "steps:\n  ? *i\n  : x")
            let keyedError = try await host.failure("svg", "render_workflow", payload: ["yaml": keyed])
            #expect(keyedError.code == .invalidArgument)
            #expect(keyedError.message.contains("too many nodes once aliases are expanded"), "\(keyedError.message)")
        }
    }

    @Test func nestingAliasCountAndSizeHaveLimitsNamedInTheError() async throws {
        try await DiagramHost.with { host in
            let deep = "name: deep\nsteps: " + String(repeating: "[", count: 65) + String(repeating: "]", count: 65) + "\n"
            let manyAliases = "name: many\nx: &x 1\nsteps: [" + Array(repeating: "*x", count: 101).joined(separator: ",") + "]\n"
            let large = "name: large\ndescription: \"" + String(repeating: "a", count: 1 << 20) + "\"\n"
            let cases: [(yaml: String, message: String)] = [
                (deep, "yaml: line 2, column 71: nested too deeply: expected at most 64 levels of sequences and mappings, found a sequence at level 65"),
                (manyAliases, "yaml: line 3, column 309: too many aliases: expected at most 100 alias uses (*name), found alias use number 101, *x"),
                (large, "yaml: the text is too large: expected at most 1048576 bytes, found \(large.utf8.count) bytes"),
            ]
            for (yaml, message) in cases {
                let error = try await host.failure("mermaid", "render_workflow", payload: ["yaml": yaml])
                #expect(error.code == .invalidArgument)
                #expect(error.message.contains(message), "\(error.message)")
            }
        }
    }

    @Test func aWorkflowWithAFewAnchorsAndAliasesStillRenders() async throws {
        let yaml = """
            name: anchored
            defaults:
              tool: &get adapter:storage:get
              params: &common
                bucket: backups
                region: eu
            adapter_requirements:
              - domain: adapter
                category: storage
            steps:
              - name: fetch
                tool: *get
                params: *common
              - name: fetch-again
                tool: *get
                params:
                  source: "${steps.fetch.key}"
                  options: *common

            """
        try await DiagramHost.with { host in
            let response = try await host.render("mermaid", "render_workflow", payload: ["yaml": yaml])
            // The requirement and both steps.
            #expect(response.nodes == 3)
            #expect(response.content.contains("fetch<br/>adapter:storage:get"), "\(response.content)")
            #expect(response.content.contains("fetch-again<br/>adapter:storage:get"), "\(response.content)")
            #expect(response.content.contains("-->|\"key\"|"), "\(response.content)")
            try await MermaidParser.expectParses([("anchored", response.content)])
        }
    }

    /// The process's peak resident set so far (`ru_maxrss`, KiB on Linux).
    static func peakResidentKiB() -> Int {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return usage.ru_maxrss
    }
}
