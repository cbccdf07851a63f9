@testable import CrackerjackOutput
import Foundation
import Testing

/// The parser (`Plugins/CrackerjackOutput`)
/// on outputs recorded from real crackerjack 0.91.1 runs in the sandbox (`Fixtures/`): the
/// run folders they name are where those runs happened.
@Suite struct VerboseOutputParserTests {
    static func fixture(_ name: String) throws -> String {
        let folder = (#filePath as NSString).deletingLastPathComponent + "/Fixtures/"
        return try String(contentsOfFile: folder + name, encoding: .utf8)
    }

    @Test func ruffLinesWithAbsolutePathsBecomeRelativeIssues() throws {
        let parsed = VerboseOutputParser(workDirectory: "/tmp/cjx/run1")
            .parse(stdout: try Self.fixture("tool-ruff-check.80-columns.stdout.txt"), stderr: try Self.fixture("tool-ruff-check.80-columns.stderr.txt"))
        #expect(parsed.issues == [
            CrackerjackIssue(tool: "ruff-check", file: "pkg/__init__.py", line: 1, column: nil, code: "F401",
                             message: "`os` imported but unused", severity: .medium),
            CrackerjackIssue(tool: "ruff-check", file: "pkg/__init__.py", line: 5, column: nil, code: "F821",
                             message: "Undefined name `reduce`", severity: .high),
        ])
        #expect(parsed.hooks == [HookOutcome(name: "ruff-check", phase: "fast", status: "failed", durationSeconds: 5.01, issuesReported: 2)],
                "the last attempt's table counts")
        #expect(parsed.failedHooks == ["ruff-check"])
        #expect(parsed.messages.isEmpty)
        #expect(parsed.summary == "Workflow failed: Task fast_hooks failed after 1 attempt(s): workflow-task-failed: fast_hooks")
    }

    @Test func aRefurbLineWrappedAtEightyColumnsIsJoined() throws {
        let parsed = VerboseOutputParser(workDirectory: "/tmp/cjx/run2").parse(stdout: try Self.fixture("tool-refurb.80-columns.stdout.txt"), stderr: try Self.fixture("tool-refurb.80-columns.stderr.txt"))
        #expect(parsed.issues == [
            CrackerjackIssue(tool: "refurb", file: "dirty/__init__.py", line: 5, column: nil, code: "FURB118",
                             message: "Replace `lambda a, b: a + b` with `operator.add`", severity: .low),
        ])
        #expect(parsed.hooks.map(\.phase) == ["comprehensive"])
        #expect(parsed.summary?.hasPrefix("Workflow failed: Task comprehensive_hooks failed") == true)
    }

    @Test func aCleanRunHasNoIssuesAndItsTally() throws {
        let parsed = VerboseOutputParser(workDirectory: "/tmp/cjx/runc/clean").parse(stdout: try Self.fixture("tool-ruff-check.clean.stdout.txt"), stderr: "")
        #expect(parsed.issues.isEmpty && parsed.messages.isEmpty && parsed.failedHooks.isEmpty)
        #expect(parsed.hooks == [HookOutcome(name: "ruff-check", phase: "fast", status: "passed", durationSeconds: 5.0, issuesReported: 0)])
        #expect(parsed.summary == "Summary: 1/1 hooks passed, 0 issues found")
    }

    @Test func aFastRunSeparatesIssuesFromHookMessages() throws {
        let parsed = VerboseOutputParser(workDirectory: "/tmp/cjx/run-fast").parse(stdout: try Self.fixture("fast.no-tools-on-path.stdout.txt"), stderr: "")
        // The table lists the four hooks that failed the run; osv-scanner's status line says ❌
        // without a table entry (it does not fail the run): it is reported failed as printed.
        #expect(parsed.failedHooks == ["codespell", "ruff-check", "uv-lock", "osv-scanner", "no-conflict-markers"])
        #expect(parsed.hooks.count == 18, "every hook of the last attempt")
        #expect(parsed.hooks.first { $0.name == "uv-lock" } == HookOutcome(name: "uv-lock", phase: "fast", status: "failed", durationSeconds: 0.06, issuesReported: 0))
        #expect(parsed.hooks.first { $0.name == "ruff-format" }?.status == "passed")
        #expect(parsed.issues.map { "\($0.tool) \($0.file):\($0.line) \($0.code ?? "-") \($0.severity)" } == [
            "ruff-check dirty/__init__.py:1 F401 medium",
            "ruff-check dirty/__init__.py:5 F821 high",
        ])
        #expect(parsed.messages == [
            HookMessage(tool: "codespell", text: "No git-tracked files found"),
            HookMessage(tool: "uv-lock", text: "Exit code: 1"),
            HookMessage(tool: "uv-lock", text: "Error: [Errno 2] No such file or directory: 'uv'"),
            HookMessage(tool: "no-conflict-markers", text: "no-conflict-markers: git not on PATH (cwd=/tmp/cjx/run-fast): [Errno 2] No such file or directory: 'git'"),
        ])
    }

    @Test func aComprehensiveRunKeepsEveryFailingHook() throws {
        let parsed = VerboseOutputParser(workDirectory: "/tmp/cjx/run-comp")
            .parse(stdout: try Self.fixture("comp.no-tools-on-path.stdout.txt"), stderr: try Self.fixture("comp.no-tools-on-path.stderr.txt"))
        #expect(parsed.failedHooks == ["pyscn", "semgrep", "creosote", "betterleaks", "cohesion", "pymetrica", "lychee", "ty", "refurb"])
        #expect(parsed.hooks.count == 11 && parsed.hooks.filter { $0.status == "passed" }.map(\.name) == ["check-jsonschema", "linkcheckmd"])
        #expect(parsed.issues.count == 1 && parsed.issues.first?.code == "FURB118")
        #expect(parsed.messages.contains(HookMessage(tool: "semgrep", text: "[Errno 2] No such file or directory: 'semgrep'")))
        #expect(parsed.summary?.hasPrefix("Workflow failed: Task comprehensive_hooks") == true, "the stderr noise before it is skipped")
    }

    @Test func aRunKilledMidRetryKeepsTheLastTableItPrinted() throws {
        let parsed = VerboseOutputParser(workDirectory: "/tmp/cjx/runh/hang").parse(stdout: try Self.fixture("tool-uv-lock.killed.stdout.txt"), stderr: "")
        #expect(parsed.hooks == [HookOutcome(name: "uv-lock", phase: "fast", status: "failed", durationSeconds: 60.1, issuesReported: 1)])
        #expect(parsed.issues.isEmpty && parsed.summary == nil)
    }

    @Test func otherToolsFileLineShapesAndCRLF() {
        let parser = VerboseOutputParser(workDirectory: "/w/p")
        let ty = parser.issue("/w/p/p/a.py:3:7: error[unresolved-reference] Name `x` used when not defined", tool: "ty")
        #expect(ty == CrackerjackIssue(tool: "ty", file: "p/a.py", line: 3, column: 7, code: "unresolved-reference",
                                       message: "Name `x` used when not defined", severity: .high))
        let plain = parser.issue("./p/b.py:12: too complex (15)", tool: "complexipy")
        #expect(plain == CrackerjackIssue(tool: "complexipy", file: "p/b.py", line: 12, column: nil, code: nil, message: "too complex (15)", severity: .medium))
        #expect(parser.issue("Error: [Errno 2] No such file or directory: 'uv'", tool: "uv-lock") == nil)
        #expect(parser.issue("Exit code: 1", tool: "uv-lock") == nil)
        let crlf = "Fast Hook Results:\r\n - ruff-check :: FAILED | 1.00s | issues=1\r\n\r\nDetails for failing fast hooks (p):\r\n - ruff-check (failed)\r\n - /w/p/x.py:2:5: E711 Comparison to `None`\r\n"
        let parsed = parser.parse(stdout: crlf, stderr: "")
        #expect(parsed.issues == [CrackerjackIssue(tool: "ruff-check", file: "x.py", line: 2, column: 5, code: "E711",
                                                   message: "Comparison to `None`", severity: .low)])
    }

    @Test func severityFollowsTheDocumentedTable() {
        let table: [(String, String?, IssueSeverity)] = [
            ("ruff-check", "F821", .high), ("ruff-check", "E999", .high), ("ruff-check", "F632", .high), ("ruff-check", "F706", .high),
            ("ruff-check", "PLE0101", .high), ("ruff-check", "F401", .medium), ("ruff-check", "F841", .medium),
            ("ruff-check", "B006", .medium), ("ruff-check", "S301", .medium), ("ruff-check", "C901", .medium),
            ("ruff-check", "PLW0603", .medium), ("ruff-check", "E501", .low), ("ruff-check", "SIM108", .low),
            ("ruff-check", "FURB118", .low), ("ruff-check", "UP006", .low), ("ruff-check", "I001", .low),
            ("refurb", "FURB118", .low), ("ty", "unresolved-reference", .high), ("pyright", nil, .high),
            ("bandit", "B101", .high), ("semgrep", nil, .high), ("betterleaks", nil, .high), ("check-ast", nil, .high),
            ("complexipy", nil, .medium), ("creosote", nil, .medium), ("check-yaml", nil, .medium), ("some-new-hook", nil, .medium),
            ("codespell", nil, .low), ("mdformat", nil, .low),
        ]
        for (tool, code, expected) in table {
            #expect(IssueSeverity.of(tool: tool, code: code) == expected, "\(tool) \(code ?? "-")")
        }
    }
}
