import CapHostCore
import CapHostTestSupport
import Foundation
import Testing

/// Refusals: paths that do not exist, are not folders or leave the allowed roots; bad mode,
/// tool and timeout values; a configuration that cannot work; a crackerjack that is missing.
/// None of these start crackerjack (the work parent stays empty).
@Suite(.serialized) struct CrackerjackBadInputTests {
    @Test func projectPathsOutsideTheAllowedRootsAreRefusedNamingPathAndRoots() async throws {
        try await CrackerjackHost.with { test in
            let roots = test.projects
            let file = try test.folder.write("projects/notes.txt", "not a project\n")
            let outside = try test.folder.folder("elsewhere")
            symlink(outside, roots + "/sneaky")
            let cases: [(path: String, says: [String])] = [
                (roots + "/missing", ["\"\(roots)/missing\" does not exist", roots]),
                (file, ["\"\(file)\" is not a folder (it is a regular file)", roots]),
                ("/etc", ["\"/etc\" is outside the allowed roots: \(roots)"]),
                (roots + "/../elsewhere", ["\"\(roots)/../elsewhere\" (really \"\(outside)\") is outside the allowed roots: \(roots)"]),
                (roots + "/sneaky", ["\"\(roots)/sneaky\" (really \"\(outside)\") is outside the allowed roots"]),
                ("projects/clean", ["must be an absolute path, found \"projects/clean\"", roots]),
            ]
            for (path, says) in cases {
                let error = try await test.runFailing(["project": path, "tool": "ruff-check"])
                #expect(error.code == .invalidArgument, "\(path): \(error)")
                for text in says { #expect(error.message.contains(text), "\(path): \(error.message)") }
            }
            #expect(try test.workLeftovers().isEmpty)
        }
    }

    @Test func badModeToolAndTimeoutNameTheFieldAndWhatWasExpected() async throws {
        try await CrackerjackHost.with { test in
            let project = try PythonProjects.clean(in: test.projects)
            let cases: [(payload: [String: Any], says: String)] = [
                (["project": project, "mode": "slow"], "'mode' must be \"fast\", \"comp\" or \"tool\", found \"slow\""),
                (["project": project, "mode": 3], "'mode' must be \"fast\", \"comp\" or \"tool\", found the number 3"),
                (["project": project, "mode": "tool"], "mode \"tool\" needs 'tool'"),
                (["project": project, "mode": "fast", "tool": "ruff-check"], "'tool' (\"ruff-check\") is only used with mode \"tool\", found mode \"fast\""),
                (["project": project, "tool": "--fast"], "'tool' must be a hook name"),
                (["project": project, "tool": "ruff check; rm -rf /"], "found \"ruff check; rm -rf /\""),
                (["project": project, "tool": "ruff-check", "timeout": 0], "'timeout' must be seconds from 1 to 600 (config.max_timeout)"),
                (["project": project, "tool": "ruff-check", "timeout": 601], "found the number 601"),
                (["project": project, "tool": "ruff-check", "timeout": "soon"], "found the string \"soon\""),
                (["project": project, "tool": "ruff-check", "timeout": true], "found true"),
                (["project": project, "tool": "ruff-check", "deadline": 5], "unknown field 'deadline'"),
                (["tool": "ruff-check"], "missing field 'project'"),
                (["project": 7], "'project' must be a non-empty string"),
            ]
            for (payload, says) in cases {
                let error = try await test.runFailing(payload)
                #expect(error.code == .invalidArgument, "\(payload): \(error)")
                #expect(error.message.contains(says), "\(payload): \(error.message)")
            }
            #expect(try test.workLeftovers().isEmpty)
        }
    }

    @Test func aConfigurationThatCannotWorkFailsTheLoadSayingWhy() async throws {
        let cases: [(overrides: [String: Any], says: String)] = [
            (["allowed_roots": [String]()], "config.allowed_roots: expected at least one absolute folder"),
            (["allowed_roots": ["relative/path"]], "config.allowed_roots: expected absolute folders, found \"relative/path\""),
            (["allowed_roots": ["/nonexistent/caphost-root"]], "\"/nonexistent/caphost-root\" does not exist or is not a folder"),
            (["command": ["crackerjack", "run"]], "expected the element \"{args}\" exactly once"),
            (["command": ["crackerjack", "{args}", "{project}"]], "unknown placeholder {project}"),
            (["default_timeout": 900], "config: default_timeout (900 s) must not exceed max_timeout (600 s)"),
            (["kill_grace": 0], "config.kill_grace: expected 0.1...60.0 seconds, found 0.0"),
            (["alowed_roots": ["/tmp"]], "config: unknown key 'alowed_roots'"),
        ]
        for (overrides, says) in cases {
            let test = try await CrackerjackHost.start(overrides)
            let state = test.report.state
            let message = test.report.error?.description ?? ""
            await test.stop()
            #expect(state != .loaded, "\(overrides) loaded")
            #expect(message.contains(says), "\(overrides): \(message)")
        }
    }

    @Test func aMissingCrackerjackIsUnhealthyAndHealthNamesTheCommandItTried() async throws {
        // A program that is not there at all: found out before anything runs.
        let missing = try await CrackerjackHost.start(["command": ["/opt/caphost-nope/bin/crackerjack", "{args}"]])
        let missingState = missing.report.state
        let missingMessage = missing.report.error?.description ?? ""
        await missing.stop()
        #expect(missingState != .loaded)
        #expect(missingMessage.contains("tried [\"/opt/caphost-nope/bin/crackerjack\", \"--version\"]"), "\(missingMessage)")
        #expect(missingMessage.contains("/opt/caphost-nope/bin/crackerjack does not exist"), "\(missingMessage)")

        // The sandbox is there but has no such crackerjack inside: its version check fails.
        var command = CrackerjackHost.sandboxCommand
        command[command.count - 2] = "/opt/caphost-nope/bin/crackerjack"
        let inside = try await CrackerjackHost.start(["command": command, "health_wait": 120], healthTimeout: .seconds(150))
        let insideState = inside.report.state
        let insideMessage = inside.report.error?.description ?? ""
        await inside.stop()
        #expect(insideState != .loaded)
        #expect(insideMessage.contains("crackerjack did not answer: tried [\"/bin/bash\""), "\(insideMessage)")
        #expect(insideMessage.contains("\"/opt/caphost-nope/bin/crackerjack\", \"--version\"]"), "\(insideMessage)")
        #expect(insideMessage.contains("ended with exit status 127"), "\(insideMessage)")
    }
}
