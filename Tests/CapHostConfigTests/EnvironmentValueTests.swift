import CapHostConfig
import CapHostTestSupport
import Foundation
import Testing

/// What `${VAR}` references resolve to, set in this process's environment with distinctive
/// values and read through `CapHostSettingsLoader.load` as `caphost serve` reads them: a value
/// from the environment stays the text it is (`007` is not 7, `0x1F` is not 31), a host setting
/// that takes a number reads it as a decimal, and no error, problem or description ever
/// repeats it — only "the value of ${VAR}".
@Suite(.serialized) struct EnvironmentValueTests {
    /// Sets `values` in the process environment for `body`, then unsets them.
    func withEnvironment<T>(_ values: [String: String], _ body: () throws -> T) rethrows -> T {
        for (name, value) in values { setenv(name, value, 1) }
        defer { for name in values.keys { unsetenv(name) } }
        return try body()
    }

    /// Loads `yaml` from a file, as `caphost serve --config FILE` does.
    func load(_ yaml: String) throws -> CapHostSettings {
        let folder = try TemporaryFolder()
        try folder.write("caphost.yaml", yaml)
        // Named relative to its folder, so messages carry no random temporary path.
        return try CapHostSettingsLoader.load(path: "caphost.yaml", currentDirectory: folder.path)
    }

    @Test func noErrorRepeatsAValueFromTheEnvironment() throws {
        let values = [
            "CHT_PORT": "0x1F", "CHT_PORT_SUFFIX": "x9-QXZ", "CHT_THREADS": "7e7-distinct", "CHT_DRAIN": "forty-two-ZQX",
            "CHT_HEX_DURATION": "0x1F", "CHT_SWAP_BELOW": "0.123456", "CHT_PROMOTE_ABOVE": "0.0424242",
            "CHT_BACKOFF_INITIAL": "7.654321", "CHT_BACKOFF_MAX": "0.0031337", "CHT_LEVEL": "loud-QWERTY",
            "CHT_ENABLED": "yes-distinct", "CHT_PACKAGE": "9bad.package-ZZ", "CHT_SIZE": "12 parsecs",
            "CHT_TAGGED": "12345678901234567890123",
        ]
        let yaml = """
            log_level: ${CHT_LEVEL}
            drain_timeout: ${CHT_DRAIN}
            http:
              port: "80${CHT_PORT_SUFFIX}"
              max_request_bytes: ${CHT_SIZE}
            grpc:
              port: ${CHT_PORT}
              package: ${CHT_PACKAGE}
            probe:
              enabled: ${CHT_ENABLED}
            invocation:
              max_call_threads: ${CHT_THREADS}
            scoring:
              health_interval: ${CHT_HEX_DURATION}
            auto_swap:
              swap_below: ${CHT_SWAP_BELOW}
              promote_above: ${CHT_PROMOTE_ABOVE}
            durable:
              initial_backoff: ${CHT_BACKOFF_INITIAL}
              max_backoff: ${CHT_BACKOFF_MAX}
            plugins:
              libx:
                n: !!int ${CHT_TAGGED}

            """
        let error = withEnvironment(values) { () -> ConfigFileError? in
            do {
                _ = try load(yaml)
                return nil
            } catch let error as ConfigFileError {
                return error
            } catch {
                Issue.record("unexpected \(error)")
                return nil
            }
        }
        let problems = try #require(error).problems.map(\.description)
        let expected = [
            "log_level: the value of ${CHT_LEVEL} is not one of trace, debug, info, notice, warning, error, critical",
            "drain_timeout: the value of ${CHT_DRAIN} is not a duration such as 250ms, 5s, 2m or 1h",
            #"http.port: the value of "80${CHT_PORT_SUFFIX}" is not an integer 0…65535"#,
            "http.max_request_bytes: the value of ${CHT_SIZE} is not a size such as 4096, 512KiB or 16MiB",
            "grpc.port: the value of ${CHT_PORT} is not an integer 0…65535",
            "grpc.package: the value of ${CHT_PACKAGE} is not a protobuf package name such as oneiric.registry.v1",
            "probe.enabled: the value of ${CHT_ENABLED} is not true or false",
            "invocation.max_call_threads: the value of ${CHT_THREADS} is not an integer 2…4096",
            "scoring.health_interval: the value of ${CHT_HEX_DURATION} is not a duration such as 250ms",
            "auto_swap.promote_above: promote_above (the value of ${CHT_PROMOTE_ABOVE}) must not be below swap_below (the value of ${CHT_SWAP_BELOW})",
            "durable.max_backoff: max_backoff (the value of ${CHT_BACKOFF_MAX}) must not be shorter than initial_backoff (the value of ${CHT_BACKOFF_INITIAL})",
            "plugins.libx.n: the tag tag:yaml.org,2002:int does not apply to ${CHT_TAGGED}: a value from the environment is always text",
        ]
        for message in expected {
            #expect(problems.contains { $0.contains(message) }, "missing \(message) in:\n\(problems.joined(separator: "\n"))")
        }
        #expect(problems.count == expected.count, "\(problems.joined(separator: "\n"))")
        // Neither the values nor what they would have been typed as (31 for 0x1F; the
        // durations as the description would format them).
        let text = ([error?.description ?? ""] + problems).joined(separator: "\n")
        for value in values.values + ["31", "7654321us", "3133700ns", "3.1337ms"] {
            #expect(!text.contains(value), "\(value) appears in:\n\(text)")
        }
    }

    @Test func aValueFromTheEnvironmentStaysTheTextItIs() throws {
        let values = ["CHT_CODE": "007", "CHT_HEX": "0x1F", "CHT_FLAG": "true", "CHT_EMPTY": "",
                      "CHT_STATE": "/tmp/distinct-state-Q7Z", "CHT_MAILGUN_API_KEY": "key/with+slash=="]
        let yaml = """
            project: ${CHT_CODE}
            state_dir: ${CHT_STATE}
            http:
              port: ${CHT_CODE}
            plugins:
              libx:
                code: ${CHT_CODE}
                hex: ${CHT_HEX}
                flag: ${CHT_FLAG}
                empty: ${CHT_EMPTY}
                mixed: "v${CHT_CODE}"
                literal: 007
                api_key: ${CHT_MAILGUN_API_KEY}

            """
        let settings = try withEnvironment(values) { try load(yaml) }
        #expect(settings.host.project == "007")
        // A host setting that takes a number reads the text as a decimal: 7, not octal.
        #expect(settings.http.port == 7)
        // A plugin gets every value from the environment as a JSON string; literals keep their YAML type.
        #expect(settings.host.pluginConfigs["libx"]
            == #"{"code":"007","hex":"0x1F","flag":"true","empty":"","mixed":"v007","literal":7,"api_key":"key/with+slash=="}"#)

        let description = settings.redactedDescription
        #expect(description.contains("project: ${CHT_CODE}") && description.contains("state_dir: ${CHT_STATE}"), "\(description)")
        #expect(description.contains("port: ${CHT_CODE}"), "\(description)")
        #expect(description.contains(#"libx: {"code":"${CHT_CODE}","hex":"${CHT_HEX}","flag":"${CHT_FLAG}","empty":"${CHT_EMPTY}","mixed":"v${CHT_CODE}","literal":7,"api_key":"${CHT_MAILGUN_API_KEY}"}"#),
                "\(description)")
        for value in ["007", "0x1F", "distinct-state-Q7Z", "key/with+slash==", "v007"] {
            #expect(!description.contains(value), "\(value) appears in:\n\(description)")
        }

        // The same for a plugin's own file in plugins.d.
        let folder = try TemporaryFolder()
        try folder.write("libx.yaml", "code: ${CHT_CODE}\nhex: ${CHT_HEX}\n")
        let files = PluginConfigFiles(environment: values, redactor: SecretRedactor())
        #expect(try files.load(stem: "libx", directory: folder.path) == #"{"code":"007","hex":"0x1F"}"#)
    }

    @Test func aSecretIsScrubbedAlsoAsFoundationsJSONWritesIt() throws {
        let settings = try withEnvironment(["CHT_SIGNING_KEY": "ab/cd+ef=="]) {
            try load("plugins:\n  libx:\n    signing_key: ${CHT_SIGNING_KEY}\n")
        }
        // JSONSerialization (and JSONEncoder) write "/" as "\/": an answer or a log line built
        // with them must be scrubbed all the same.
        let json = String(decoding: try JSONSerialization.data(withJSONObject: ["key": "ab/cd+ef=="]), as: UTF8.self)
        #expect(json.contains(#"ab\/cd+ef=="#), "\(json)")
        #expect(settings.secrets.containsSecret(json))
        #expect(settings.secrets.redact(json) == #"{"key":"[redacted]"}"#)
    }
}
