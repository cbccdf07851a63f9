import CapHostCore
import CapHostTestSupport
import Foundation
import Testing

/// `service:quality-loop:memory` over the real local memory (`libLocalMemoryPlugin.so`, a real
/// SQLite file), both loaded from the built products into a real host, calling each other
/// through the host.
@Suite struct QualityLoopPluginTests {
    static let loop = CapabilityReference.slot(SlotKey(domain: "service", category: "quality-loop"))

    static func withLoop(_ body: (TestHost) async throws -> Void) async throws {
        try await TestHost.with { test in
            for (product, name, config) in [("LocalMemoryPlugin", "local-memory", #"{"path":"\#(test.root)/memory.sqlite"}"#),
                                            ("QualityLoopPlugin", "quality-loop", #"{"threshold":3,"window_days":30}"#)] {
                try config.write(toFile: test.pluginsDirectory + "/\(name).json", atomically: true, encoding: .utf8)
                let installed = try FixturePlugins.install(try FixturePlugins.builtPlugin(product), into: test.pluginsDirectory, as: "\(name).so")
                let report = await test.host.load(file: installed)
                #expect(report.state == .loaded, "\(report)")
            }
            try await body(test)
        }
    }

    static func call(_ test: TestHost, _ method: String, _ payload: [String: Any]) async throws -> [String: Any] {
        let bytes = Array(try JSONSerialization.data(withJSONObject: payload))
        let response = try await test.host.invoker.invoke(loop, method: method, payload: bytes)
        return try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any] ?? [:]
    }

    /// A crackerjack run's issues: F401 in two files (high), E501 (low), FURB118 (high).
    static var issues: [[String: Any]] { [
        ["tool": "ruff", "file": "app/main.py", "line": 1, "code": "F401", "message": "`os` imported but unused", "severity": "high"],
        ["tool": "ruff", "file": "app/util.py", "line": 3, "code": "F401", "message": "`sys` imported but unused", "severity": "high"],
        ["tool": "ruff", "file": "app/main.py", "line": 9, "code": "E501", "message": "Line too long", "severity": "low"],
        ["tool": "refurb", "file": "app/calc.py", "line": 2, "code": "FURB118", "message": "Replace with operator.add", "severity": "high"],
    ] }

    @Test func aCodeThatKeepsComingBackIsToldOncePerWindow() async throws {
        try await Self.withLoop { test in
            // First run: F401 twice (two files), FURB118 once — below the threshold of 3.
            // A path names the memory project by its last component.
            let first = try await Self.call(test, "remember", ["project": "/home/me/shop", "issues": Self.issues])
            #expect(first["stored"] as? Int == 3 && first["notify"] as? Bool == false && first["project"] as? String == "shop", "\(first)")
            let counts = (first["recurrences"] as? [[String: Any]] ?? []).map { "\($0["code"]!)=\($0["count"]!)" }
            #expect(counts == ["F401=2", "FURB118=1"], "\(counts)")

            // Second run: F401 reaches 4 → a pattern, with both files; FURB118 at 2 is not.
            let second = try await Self.call(test, "remember", ["project": "shop", "issues": Self.issues])
            #expect(second["notify"] as? Bool == true && second["codes"] as? [String] == ["F401"], "\(second)")
            let pattern = (second["patterns"] as? [[String: Any]])?.first
            #expect(pattern?["count"] as? Int == 4 && pattern?["files"] as? [String] == ["app/main.py", "app/util.py"], "\(String(describing: pattern))")
            #expect((second["subject"] as? String) == "caphost quality: F401 keeps coming back in shop")
            let summary = second["summary"] as? String ?? ""
            #expect(summary.contains("F401 (ruff): 4 times") && summary.contains("  - app/util.py"), "\(summary)")

            // Told: the next run finds F401 again but does not tell it twice in the window; FURB118 now reaches 3.
            _ = try await Self.call(test, "acknowledge", ["project": "shop", "codes": ["F401"]])
            let third = try await Self.call(test, "remember", ["project": "shop", "issues": Self.issues])
            #expect(third["already_told"] as? [String] == ["F401"], "\(third)")
            #expect(third["codes"] as? [String] == ["FURB118"], "\(third)")

            // Another project has its own memory of the same codes.
            let other = try await Self.call(test, "remember", ["project": "blog", "issues": Self.issues])
            #expect(other["notify"] as? Bool == false)
        }
    }

    @Test func badInputIsRefusedNamingTheField() async throws {
        try await Self.withLoop { test in
            let cases: [([String: Any], String)] = [
                (["project": "", "issues": []], "project: expected a project name or path"),
                (["project": "p", "issues": [], "threshold": 0], "threshold: expected 1…1000, found 0"),
                (["project": "p", "issues": [], "window_days": 4000], "window_days: expected 1…3650 days, found 4000"),
                (["project": "p", "issues": [["tool": "ruff", "code": "", "severity": "high"]]], "issues[0]: expected a tool and a code of 1…64 bytes"),
                (["project": "p", "issues": [["tool": "ruff", "code": "X", "severity": "urgent"]]], "severity"),
            ]
            for (payload, message) in cases {
                do {
                    _ = try await Self.call(test, "remember", payload)
                    Issue.record("accepted \(payload)")
                } catch let error as InvocationError {
                    #expect(error.code == .invalidArgument, "\(error)")
                    #expect(error.message.contains(message), "\(error.message)")
                }
            }
        }
    }
}
