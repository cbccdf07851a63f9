import CapHostConfig
import CapHostCore
import CapHostTestSupport
import Foundation
import Testing

/// caphost.yaml read into `CapHostSettings`: defaults, every key, paths, durations.
@Suite struct SettingsFileTests {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    @Test func theCommittedExampleFileMeansExactlyTheDefaults() throws {
        let example = Self.packageRoot + "/caphost.example.yaml"
        let parsed = try CapHostSettingsLoader.load(path: example, environment: [:])
        var defaults = CapHostSettingsLoader.defaults(environment: [:])
        // The example's relative paths resolve against its folder, the defaults' against the current one.
        defaults.host.pluginsDirectory = Self.packageRoot + "/plugins.d"
        defaults.host.stateDirectory = Self.packageRoot + "/.caphost"
        #expect(Self.body(parsed.redactedDescription) == Self.body(defaults.redactedDescription))
        #expect(parsed.host.pluginConfigs.isEmpty)
        #expect(parsed.http.token == nil && parsed.http.tls == nil)
    }

    @Test func theExampleDocumentsEveryKeyTheLoaderAccepts() throws {
        // Every "key:" line of the example, commented out or not, must be accepted
        // when written (an undocumented key, or a documented key the loader refuses, fails this).
        let text = try String(contentsOfFile: Self.packageRoot + "/caphost.example.yaml", encoding: .utf8)
            .replacingOccurrences(of: "plugins: {}", with: "plugins:")
        // "  # key: value" → "  key: value", keeping the indentation the comment marker implies.
        let commentedKey = try NSRegularExpression(pattern: "^( *)# ( *[a-z_]+:.*)$", options: [.anchorsMatchLines])
        let uncommented = commentedKey.stringByReplacingMatches(in: text, range: NSRange(text.startIndex..., in: text), withTemplate: "$1$2")
        let folder = try TemporaryFolder()
        try folder.write("certs/caphost.pem", "")
        let settings = try CapHostSettingsLoader.parse(yaml: uncommented, file: "example", baseDirectory: folder.path,
                                                       environment: ["CAPHOST_TOKEN": "t0ken-value", "MAILGUN_API_KEY": "key-123",
                                                                     "CAPHOST_REGISTRY_JWT_SECRET": "jwt-secret-0123456789abcdef"])
        #expect(settings.http.tls?.certificatePath == folder.path + "/certs/caphost.pem")
        #expect(settings.http.token == "t0ken-value")
        #expect(settings.host.probe.runnerPath == "/usr/local/bin/caphost-runner")
        #expect(settings.grpc.jwt?.project == "caphost")
        #expect(settings.grpc.clientCertificateAuthority == folder.path + "/tls/registry-clients.pem")
        #expect(settings.host.pluginConfigs["libmailgun"] == #"{"domain":"mg.example.com","region":"eu","api_key":"key-123"}"#)
        #expect(settings.host.pluginConfigs["liboutbox"] == #"{"directory":"/var/spool/caphost/outbox"}"#)
    }

    @Test func aFullFileRoundTripsToTheExpectedSettings() throws {
        let yaml = """
        plugins_dir: drop
        state_dir: /var/lib/caphost
        project: fleet-a
        create_timeout: 3s
        log_level: debug
        drain_timeout: 20s
        score_sample_interval: 1m
        probe:
          enabled: false
          timeout: 1500ms
          runner: bin/caphost-runner
        signatures:
          trusted_keys:
            - 11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=
          require_signatures: true
        invocation:
          max_response_bytes: 512KiB
          breaker_threshold: 3
          default_timeout: 2m
          max_call_depth: 4
          latency_sample_interval: 32
          max_call_threads: 64
          task_threads: 3
        scoring:
          tick_interval: 100ms
          ewma_alpha: 0.25
          latency_objective: 20ms
          health_interval: 1m30s
          health_timeout: 0.5
          breaker_cool_down: 1h
        auto_swap:
          enabled: false
          swap_below: 0.5
          promote_above: 0.8
          min_samples: 100
          demotion_cool_down: 2m
          minimum_dwell: 10s
        watcher:
          enabled: false
          debounce: 50ms
          rescan_interval: 5s
        http:
          address: 0.0.0.0
          port: 8443
          max_request_bytes: 1MiB
          keep_alive_interval: 5s
          tls:
            certificate: tls/cert.pem
            key: tls/key.pem
          token: ${ADMIN_TOKEN}
        grpc:
          enabled: false
          address: 127.0.0.2
          port: 0
          package: acme.registry.v2
          require_token: false
        mcp:
          enabled: false
        durable:
          max_attempts: 3
          initial_backoff: 100ms
          max_backoff: 5s
          call_timeout: 15s
          workers: 3
          stop_timeout: 1s
          max_payload_bytes: 64KiB
          retain_finished: 2d
        plugins:
          libecho_c:
            greeting: hello
            repeat: 3
          liboutbox: ~
        """
        let settings = try CapHostSettingsLoader.parse(yaml: yaml, file: "caphost.yaml", baseDirectory: "/etc/caphost",
                                                       environment: ["ADMIN_TOKEN": "s3cret-admin"])
        let host = settings.host
        #expect(host.pluginsDirectory == "/etc/caphost/drop")
        #expect(host.stateDirectory == "/var/lib/caphost")
        #expect(host.project == "fleet-a")
        #expect(host.createTimeout == .seconds(3))
        #expect(settings.logLevel == .debug)
        #expect(!host.probe.enabled && host.probe.timeout == .milliseconds(1500) && host.probe.runnerPath == "/etc/caphost/bin/caphost-runner")
        #expect(host.signatures.trustedKeys == ["11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo="] && host.signatures.requireSignatures)
        #expect(host.invocation.maxResponseBytes == 512 * 1024)
        #expect(host.invocation.breakerThreshold == 3 && host.invocation.defaultTimeout == .seconds(120))
        #expect(host.invocation.maxCallDepth == 4 && host.invocation.latencySampleInterval == 32 && host.invocation.maxCallThreads == 64)
        #expect(host.invocation.taskThreads == 3)
        #expect(host.scoring.tickInterval == .milliseconds(100) && host.scoring.ewmaAlpha == 0.25)
        #expect(host.scoring.latencyObjective == .milliseconds(20) && host.scoring.healthInterval == .seconds(90))
        #expect(host.scoring.healthTimeout == .milliseconds(500) && host.scoring.breakerCoolDown == .seconds(3600))
        #expect(!host.autoSwap.enabled && host.autoSwap.swapBelow == 0.5 && host.autoSwap.promoteAbove == 0.8)
        #expect(host.autoSwap.minSamples == 100 && host.autoSwap.demotionCoolDown == .seconds(120) && host.autoSwap.minimumDwell == .seconds(10))
        #expect(!host.watcher.enabled && host.watcher.debounce == .milliseconds(50) && host.watcher.rescanInterval == .seconds(5))
        #expect(settings.http.address == "0.0.0.0" && settings.http.port == 8443)
        #expect(settings.http.tls == CapHostSettings.TLS(certificatePath: "/etc/caphost/tls/cert.pem", keyPath: "/etc/caphost/tls/key.pem"))
        #expect(settings.http.token == "s3cret-admin")
        #expect(settings.grpc == {
            var grpc = CapHostSettings.GRPC()
            grpc.enabled = false; grpc.address = "127.0.0.2"; grpc.port = 0; grpc.package = "acme.registry.v2"; grpc.requireToken = false
            return grpc
        }())
        #expect(!settings.mcp.enabled)
        #expect(settings.durable.maxAttempts == 3 && settings.durable.initialBackoff == .milliseconds(100))
        #expect(settings.durable.maxBackoff == .seconds(5) && settings.durable.callTimeout == .seconds(15) && settings.durable.workers == 3)
        #expect(settings.durable.stopTimeout == .seconds(1) && settings.durable.maxPayloadBytes == 64 << 10)
        #expect(settings.durable.retainFinished == .seconds(2 * 86_400))
        #expect(settings.drainTimeout == .seconds(20) && settings.scoreSampleInterval == .seconds(60))
        #expect(settings.http.maxRequestBytes == 1 << 20 && settings.http.keepAliveInterval == .seconds(5))
        #expect(host.pluginConfigs == ["libecho_c": #"{"greeting":"hello","repeat":3}"#, "liboutbox": "{}"])
        #expect(host.pluginConfigLoader != nil)
        #expect(settings.file == "caphost.yaml")
        #expect(!settings.redactedDescription.contains("s3cret-admin"))
        #expect(settings.redactedDescription.contains("token: ${ADMIN_TOKEN} (redacted)"))
    }

    @Test func durationsAcceptUnitsCompoundsAndPlainSeconds() throws {
        let cases: [(String, Duration)] = [
            ("250ms", .milliseconds(250)), ("5s", .seconds(5)), ("2m", .seconds(120)), ("1h", .seconds(3600)),
            ("1m30s", .seconds(90)), ("1.5s", .milliseconds(1500)), ("2500us", .microseconds(2500)), ("7", .seconds(7)),
            ("0.25", .milliseconds(250)), ("\"3\"", .seconds(3)),
        ]
        for (text, expected) in cases {
            let settings = try CapHostSettingsLoader.parse(yaml: "create_timeout: \(text)", file: "caphost.yaml", baseDirectory: "/", environment: [:])
            #expect(settings.host.createTimeout == expected, "\(text)")
        }
    }

    @Test func aMissingDefaultFileMeansDefaultsAndAMissingNamedFileIsAnError() throws {
        let folder = try TemporaryFolder()
        let settings = try CapHostSettingsLoader.load(path: nil, environment: [:], currentDirectory: folder.path)
        #expect(settings.file == nil)
        #expect(settings.http.port == 7070 && settings.grpc.port == 8679 && settings.host.pluginsDirectory == "plugins.d")
        #expect(settings.host.pluginConfigLoader != nil)

        let error = #expect(throws: ConfigFileError.self) { try CapHostSettingsLoader.load(path: "elsewhere.yaml", environment: [:], currentDirectory: folder.path) }
        #expect(error?.description == "elsewhere.yaml: no such file (the configuration file was named explicitly, so it must exist)")

        try folder.write("caphost.yaml", "http:\n  port: 9090\n")
        let found = try CapHostSettingsLoader.load(path: nil, environment: [:], currentDirectory: folder.path)
        #expect(found.http.port == 9090 && found.file == "caphost.yaml")
    }

    @Test func relativePathsResolveAgainstTheFilesFolder() throws {
        let folder = try TemporaryFolder()
        try folder.write("conf/caphost.yaml", "plugins_dir: ../drop\nstate_dir: state\nprobe:\n  runner: ~/bin/runner\n")
        let settings = try CapHostSettingsLoader.load(path: folder.path + "/conf/caphost.yaml", environment: [:])
        #expect(settings.host.pluginsDirectory == folder.path + "/drop")
        #expect(settings.host.stateDirectory == folder.path + "/conf/state")
        #expect(settings.host.probe.runnerPath == (NSHomeDirectory() as NSString).appendingPathComponent("bin/runner"))
    }

    @Test func anEmptyFileIsTheDefaults() throws {
        let settings = try CapHostSettingsLoader.parse(yaml: "# nothing yet\n", file: "caphost.yaml", baseDirectory: "/srv", environment: [:])
        #expect(settings.http.port == 7070 && settings.logLevel == .info && settings.host.project == "caphost")
    }

    /// The description without its first line (which names the file).
    static func body(_ description: String) -> String {
        description.split(separator: "\n").dropFirst().joined(separator: "\n")
    }
}
