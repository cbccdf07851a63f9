import CapHostCore
import CapHostServer
import CapHostTestSupport
import Foundation
import Testing

/// The plugin loaded from its built `.so` into a real host, running the real crackerjack 0.91.1
/// in the Python 3.14 sandbox on projects the tests write. Single-tool runs (≈ 15–20 s each).
@Suite(.serialized) struct CrackerjackRunTests {
    static func issues(_ answer: [String: Any]) -> [[String: Any]] { answer["issues"] as? [[String: Any]] ?? [] }

    static func issue(_ answer: [String: Any], code: String) -> [String: Any]? {
        issues(answer).first { $0["code"] as? String == code }
    }

    static func sample(_ text: String, _ name: String, _ labels: [String] = []) -> Double {
        for line in text.split(separator: "\n") where line.hasPrefix(name + "{") || line.hasPrefix(name + " ") {
            guard labels.allSatisfy({ line.contains($0) }), let value = line.split(separator: " ").last.flatMap({ Double($0) }) else { continue }
            return value
        }
        return 0
    }

    @Test func aCleanProjectPassesAndTheRunIsReportedThroughTheHost() async throws {
        MetricsExport.bootstrap()
        try await CrackerjackHost.with { test in
            let project = try PythonProjects.clean(in: test.projects)
            let before = try FolderChecksum.of(project)
            let collector = HostMetricsCollector(host: test.host)
            let metricsBefore = String(decoding: collector.render(), as: UTF8.self)

            let answer = try await test.call("run", ["project": project, "mode": "tool", "tool": "ruff-check", "timeout": 240])

            #expect(answer["passed"] as? Bool == true, "\(answer)")
            #expect(answer["exit_status"] as? Int == 0)
            #expect(answer["timed_out"] as? Bool == false)
            #expect(answer["mode"] as? String == "tool" && answer["tool"] as? String == "ruff-check")
            #expect(Self.issues(answer).isEmpty)
            #expect((answer["failed_hooks"] as? [String]) == [])
            let hooks = answer["hooks"] as? [[String: Any]] ?? []
            #expect(hooks.count == 1 && hooks.first?["name"] as? String == "ruff-check" && hooks.first?["status"] as? String == "passed", "\(hooks)")
            #expect(answer["summary"] as? String == "Summary: 1/1 hooks passed, 0 issues found")
            #expect((answer["duration_seconds"] as? Double ?? 0) > 0)
            #expect(answer["work_directory_removed"] as? Bool == true)
            #expect(try test.workLeftovers().isEmpty, "the run folder is gone")
            #expect(try FolderChecksum.of(project) == before, "the original project is untouched")

            // Progress and outcome through the host's log and metrics.
            let lines = test.log.all
            #expect(lines.contains { $0.contains("crackerjack run 1: hook ruff-check passed") }, "\(lines)")
            #expect(lines.contains { $0.contains("crackerjack run 1: passed, exit status 0") }, "\(lines)")
            let metricsAfter = String(decoding: collector.render(), as: UTF8.self)
            func delta(_ name: String, _ labels: [String]) -> Double {
                Self.sample(metricsAfter, name, labels) - Self.sample(metricsBefore, name, labels)
            }
            #expect(delta("crackerjack_runs_total", [#"outcome="passed""#, #"mode="tool""#]) == 1, "\(metricsAfter)")
            #expect(delta("crackerjack_run_duration_seconds_count", [#"mode="tool""#]) == 1)
            #expect(delta("crackerjack_hook_results_total", [#"hook="ruff-check""#, #"status="passed""#]) == 1)
        }
    }

    @Test func ruffAndRefurbFindingsAreParsedAndTheOriginalNeverChanges() async throws {
        MetricsExport.bootstrap()
        try await CrackerjackHost.with { test in
            let project = try PythonProjects.dirty(in: test.projects)
            let before = try FolderChecksum.of(project)
            #expect(before["dirty/util.py"] != nil && before["outside.txt"] == "link -> /etc/hostname")
            let collector = HostMetricsCollector(host: test.host)
            let metricsBefore = String(decoding: collector.render(), as: UTF8.self)

            let ruff = try await test.call("run", ["project": project, "tool": "ruff-check", "timeout": "4m"])
            #expect(ruff["passed"] as? Bool == false, "\(ruff)")
            #expect(ruff["exit_status"] as? Int == 1)
            #expect(ruff["failed_hooks"] as? [String] == ["ruff-check"])
            let unused = try #require(Self.issue(ruff, code: "F401"), "\(ruff)")
            #expect(unused["tool"] as? String == "ruff-check")
            #expect(unused["file"] as? String == "dirty/__init__.py", "relative to the project, not the copy")
            #expect(unused["line"] as? Int == 1)
            #expect(unused["severity"] as? String == "medium")
            #expect((unused["message"] as? String)?.contains("`os` imported but unused") == true)
            let undefined = try #require(Self.issue(ruff, code: "F821"))
            #expect(undefined["file"] as? String == "dirty/__init__.py" && undefined["line"] as? Int == 5)
            #expect(undefined["severity"] as? String == "high")
            #expect((ruff["issue_counts"] as? [String: Int])?["high"] == 1)
            let copy = ruff["copy"] as? [String: Any] ?? [:]
            #expect((copy["skipped"] as? [String] ?? []).contains { $0.hasPrefix("outside.txt (symbolic link to /etc/hostname") }, "\(copy)")
            #expect(try FolderChecksum.of(project) == before, "ruff --fix rewrote the copy, never the original")

            let refurb = try await test.call("run", ["project": project, "mode": "tool", "tool": "refurb", "timeout": 240])
            #expect(refurb["failed_hooks"] as? [String] == ["refurb"], "\(refurb)")
            let lambda = try #require(Self.issue(refurb, code: "FURB118"), "\(refurb)")
            #expect(lambda["tool"] as? String == "refurb")
            #expect(lambda["file"] as? String == "dirty/__init__.py" && lambda["line"] as? Int == 5)
            #expect(lambda["severity"] as? String == "low")
            #expect((lambda["message"] as? String)?.contains("operator.add") == true)
            #expect(try FolderChecksum.of(project) == before)
            #expect(try test.workLeftovers().isEmpty)

            let metricsAfter = String(decoding: collector.render(), as: UTF8.self)
            func delta(_ name: String, _ labels: [String]) -> Double {
                Self.sample(metricsAfter, name, labels) - Self.sample(metricsBefore, name, labels)
            }
            #expect(delta("crackerjack_runs_total", [#"outcome="failed""#]) == 2)
            #expect(delta("crackerjack_issues_total", [#"severity="high""#]) == 1)
            #expect(delta("crackerjack_issues_total", [#"severity="low""#]) >= 1)
        }
    }

    @Test func aHookThatHangsIsKilledWithItsWholeProcessGroupAtTheTimeout() async throws {
        try await CrackerjackHost.with { test in
            let project = try PythonProjects.hanging(in: test.projects)
            let before = try FolderChecksum.of(project)

            let answer = try await test.call("run", ["project": project, "tool": "uv-lock", "timeout": 15])

            #expect(answer["timed_out"] as? Bool == true, "\(answer)")
            #expect(answer["passed"] as? Bool == false)
            let group = try #require(answer["process_group"] as? Int)
            #expect(group > 1)
            #expect(ProcessTable.members(ofGroup: Int32(group)).isEmpty, "no process of the group survives")
            #expect(ProcessTable.using(test.work + "/crackerjack-run-").isEmpty, "nothing runs in (or names) a run folder any more")
            #expect(try test.workLeftovers().isEmpty)
            #expect(try FolderChecksum.of(project) == before)
            #expect(test.log.all.contains { $0.contains("timed_out, timed out after") }, "\(test.log.all)")
        }
    }

    @Test func healthRunsTheConfiguredCommandAndNamesIt() async throws {
        try await CrackerjackHost.with(["health_wait": 120], healthTimeout: .seconds(150)) { test in
            let answer = try await test.call("health", [:])
            #expect(answer["healthy"] as? Bool == true, "\(answer)")
            #expect(answer["version"] as? String == "crackerjack: 0.91.1", "\(answer)")
            #expect((answer["command"] as? String)?.contains("/opt/crackerjack/bin/crackerjack\", \"--version\"") == true, "\(answer)")
        }
    }
}
