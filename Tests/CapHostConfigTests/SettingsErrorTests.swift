import CapHostConfig
import CapHostTestSupport
import Foundation
import Testing

/// Every problem names file, line, column, key path, and expected versus found.
@Suite struct SettingsErrorTests {
    func problems(_ yaml: String, environment: [String: String] = [:]) -> [String] {
        do {
            _ = try CapHostSettingsLoader.parse(yaml: yaml, file: "caphost.yaml", baseDirectory: "/srv", environment: environment)
            Issue.record("expected the file to be refused:\n\(yaml)")
            return []
        } catch {
            return error.problems.map(\.description)
        }
    }

    /// A "billion laughs" file (anchors whose aliases multiply) is refused after a bounded walk.
    @Test func aFileThatMultipliesItselfThroughAliasesIsRefused() {
        var yaml = "x0: &x0 [a, a, a, a, a, a, a, a, a, a]\n"
        for level in 1...9 { yaml += "x\(level): &x\(level) [" + Array(repeating: "*x\(level - 1)", count: 10).joined(separator: ", ") + "]\n" }
        let found = problems(yaml)
        #expect(found.contains { $0.contains("more than 1000000 values once its aliases are expanded") }, "\(found.prefix(3))")
    }

    @Test func aWrongTypeNamesPlaceKeyExpectedAndFound() {
        let yaml = Array(repeating: "# filler", count: 10).joined(separator: "\n") + "\nhttp:\n        port: seventy\n"
        #expect(problems(yaml) == [#"caphost.yaml:12:15: http.port: expected an integer 0…65535, found "seventy""#])
        #expect(problems("http:\n  port: 70000\n") == ["caphost.yaml:2:9: http.port: expected an integer 0…65535, found 70000"])
        #expect(problems("probe:\n  enabled: yes\n") == [#"caphost.yaml:2:12: probe.enabled: expected true or false, found "yes""#])
        #expect(problems("scoring:\n  tick_interval: soon\n")
            == [#"caphost.yaml:2:18: scoring.tick_interval: expected a duration such as 250ms, 5s, 2m or 1h of at least 1ms, at most 365d, found "soon""#])
        #expect(problems("log_level: loud\n")
            == [#"caphost.yaml:1:12: log_level: expected one of trace, debug, info, notice, warning, error, critical, found "loud""#])
        #expect(problems("auto_swap:\n  swap_below: 1.5\n") == ["caphost.yaml:2:15: auto_swap.swap_below: expected a number from 0.0 to 1.0, found 1.5"])
        #expect(problems("http: 7070\n") == ["caphost.yaml:1:7: http: expected a mapping of keys, found 7070"])
        #expect(problems("signatures:\n  trusted_keys: abc\n") == [#"caphost.yaml:2:17: signatures.trusted_keys: expected a list of text values, found "abc""#])
        #expect(problems("invocation:\n  latency_sample_interval: 12\n")
            == ["caphost.yaml:2:28: invocation.latency_sample_interval: expected a power of two (1, 2, 4 … 65536), found 12"])
        #expect(problems("invocation:\n  max_response_bytes: 16 megs\n")
            == [#"caphost.yaml:2:23: invocation.max_response_bytes: expected a size such as 4096, 512KiB or 16MiB (1…1073741824 bytes), found "16 megs""#])
    }

    /// Durations past a year (as a float, an integer, with units, or from the environment) are
    /// refused at load, not accepted and then overflowed into a trap when used (found by fuzzing).
    @Test func aDurationLongerThanAYearIsRefusedWhereverItIsWritten() {
        let expected = "expected a duration such as 250ms, 5s, 2m or 1h, at most 365d"
        #expect(problems("drain_timeout: 99999999999\n") == ["caphost.yaml:1:16: drain_timeout: \(expected), found 99999999999"])
        #expect(problems("scoring:\n  tick_interval: 1e30\n")
            == ["caphost.yaml:2:18: scoring.tick_interval: expected a duration such as 250ms, 5s, 2m or 1h of at least 1ms, at most 365d, found 1e30"])
        #expect(problems("drain_timeout: 366d\n") == [#"caphost.yaml:1:16: drain_timeout: \#(expected), found "366d""#])
        #expect(problems("drain_timeout: .inf\n").count == 1)
        let fromEnvironment = problems("drain_timeout: ${CHT_LONG}\n", environment: ["CHT_LONG": "1e30"])
        #expect(fromEnvironment.count == 1 && fromEnvironment[0].contains("at most 365d"), "\(fromEnvironment)")
        let settings = try? CapHostSettingsLoader.parse(yaml: "drain_timeout: 365d\n", file: "caphost.yaml", baseDirectory: "/srv", environment: [:])
        #expect(settings?.drainTimeout == .seconds(365 * 86_400))
        #expect(settings.map { $0.redactedDescription.contains("drain_timeout: 365d") } == true)
    }

    @Test func unknownKeysAreErrorsWithADidYouMean() {
        #expect(problems("http:\n  prot: 80\n") == [#"caphost.yaml:2:3: http.prot: unknown key "prot"; did you mean "port"?"#])
        #expect(problems("plugin_dir: drop\n") == [#"caphost.yaml:1:1: plugin_dir: unknown key "plugin_dir"; did you mean "plugins_dir"?"#])
        #expect(problems("auto-swap:\n  enabled: false\n") == [#"caphost.yaml:1:1: auto-swap: unknown key "auto-swap"; did you mean "auto_swap"?"#])
        let far = problems("mcp:\n  transport: stdio\n")
        #expect(far == [#"caphost.yaml:2:3: mcp.transport: unknown key "transport"; known keys here: enabled"#])
    }

    @Test func everyProblemIsReportedInFileOrder() {
        let yaml = """
        http:
          port: -1
          adress: 0.0.0.0
        durable:
          workers: 0
        log_level: 3
        """
        #expect(problems(yaml) == [
            "caphost.yaml:2:9: http.port: expected an integer 0…65535, found -1",
            #"caphost.yaml:3:3: http.adress: unknown key "adress"; did you mean "address"?"#,
            "caphost.yaml:5:12: durable.workers: expected an integer 1…256, found 0",
            "caphost.yaml:6:12: log_level: expected one of trace, debug, info, notice, warning, error, critical, found 3",
        ])
    }

    @Test func syntaxErrorsAndDuplicateKeysNameLineAndColumn() {
        let syntax = problems("http:\n  port: 7070\n   address: [127.0.0.1\n")
        #expect(syntax.count == 1)
        #expect(syntax.first?.hasPrefix("caphost.yaml:3:") == true, "\(syntax)")
        #expect(syntax.first?.contains("YAML syntax error") == true, "\(syntax)")
        #expect(problems("http:\n  port: 1\n  port: 2\n") == [#"caphost.yaml:2:3: duplicate key "port" in one mapping: each key may appear once"#])
    }

    @Test func relatedValuesAreCheckedTogether() {
        #expect(problems("durable:\n  initial_backoff: 10s\n  max_backoff: 1s\n")
            == ["caphost.yaml:3:16: durable.max_backoff: max_backoff (1s) must not be shorter than initial_backoff (10s)"])
        #expect(problems("auto_swap:\n  swap_below: 0.8\n  promote_above: 0.6\n")
            == ["caphost.yaml:3:18: auto_swap.promote_above: promote_above (0.6) must not be below swap_below (0.8), or a swap could promote a worse provider"])
        #expect(problems("http:\n  tls:\n    certificate: c.pem\n")
            == [#"caphost.yaml:3:5: http.tls: TLS needs both "certificate" and "key" (PEM file paths)"#])
        #expect(problems("signatures:\n  trusted_keys: [aGVsbG8=]\n")
            == ["caphost.yaml:2:18: signatures.trusted_keys[0]: expected a base64 Ed25519 public key (32 bytes), found 5 bytes"])
    }

    @Test func anUnreadableNamedFileIsAnErrorNamingIt() throws {
        let folder = try TemporaryFolder()
        let file = try folder.write("caphost.yaml", "http: {}\n")
        chmod(file, 0o000)
        defer { chmod(file, 0o600) }
        if getuid() == 0 { return } // root reads anything; nothing to prove
        let error = #expect(throws: ConfigFileError.self) { try CapHostSettingsLoader.load(path: file, environment: [:]) }
        #expect(error?.description == "\(file): cannot be read (check its permissions)")
    }
}
