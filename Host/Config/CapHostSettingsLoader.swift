import CapHostCore
import Foundation

/// Reads `caphost.yaml` into `CapHostSettings`.
///
/// Keys are snake_case; durations are written `250ms`, `5s`, `2m`, `1h` (or a
/// number of seconds); relative paths resolve against the file's folder;
/// `${VAR}` references are resolved from the environment, and a secret key
/// (`token`, `api_key`, `password` …) written as a literal is refused. Every
/// problem names file, line, column and key path; unknown keys get a "did you
/// mean". See `caphost.example.yaml` for every key and its default.
public enum CapHostSettingsLoader {
    /// The file read when none is named: `caphost.yaml` in the current folder.
    public static let defaultFileName = "caphost.yaml"

    /// Loads `path`, or `caphost.yaml` in the current folder when `path` is nil.
    /// A missing default file means the defaults; a missing named file is an error.
    /// A relative `path` is taken relative to `currentDirectory`.
    public static func load(path: String?, environment: [String: String] = ProcessInfo.processInfo.environment,
                            currentDirectory: String = FileManager.default.currentDirectoryPath) throws(ConfigFileError) -> CapHostSettings {
        let named = path ?? defaultFileName
        let absolute = named.hasPrefix("/") ? named : (currentDirectory as NSString).appendingPathComponent(named)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: absolute, isDirectory: &isDirectory) else {
            if path == nil { return defaults(environment: environment) }
            throw ConfigFileError(file: named, message: "no such file (the configuration file was named explicitly, so it must exist)")
        }
        guard !isDirectory.boolValue else { throw ConfigFileError(file: named, message: "is a folder, expected a YAML file") }
        guard let data = FileManager.default.contents(atPath: absolute) else {
            throw ConfigFileError(file: named, message: "cannot be read (check its permissions)")
        }
        guard let text = String(data: data, encoding: .utf8) else { throw ConfigFileError(file: named, message: "is not UTF-8 text") }
        let folder = ((absolute as NSString).deletingLastPathComponent as NSString).standardizingPath
        return try parse(yaml: text, file: named, baseDirectory: folder, environment: environment)
    }

    /// The defaults, with the `plugins.d/<stem>.yaml` loader installed.
    public static func defaults(environment: [String: String] = ProcessInfo.processInfo.environment) -> CapHostSettings {
        var settings = CapHostSettings()
        settings.host.pluginConfigLoader = PluginConfigFiles(environment: environment, redactor: settings.secrets).loader
        return settings
    }

    /// Parses YAML text. `file` names it in messages; relative paths resolve
    /// against `baseDirectory`.
    public static func parse(yaml: String, file: String, baseDirectory: String,
                             environment: [String: String] = ProcessInfo.processInfo.environment) throws(ConfigFileError) -> CapHostSettings {
        let problems = ProblemCollector(file: file)
        var settings = CapHostSettings()
        settings.file = file
        let document = ConfigDocument(problems: problems, environment: environment, redactor: settings.secrets, variablePrefix: "CAPHOST")
        guard let root = document.parse(yaml) else { throw problems.error()! }
        let reader = MappingReader(root, keyPath: "", problems: problems, baseDirectory: baseDirectory)

        readHost(reader, into: &settings.host)
        readHTTP(reader.section("http"), into: &settings)
        readGRPC(reader.section("grpc"), into: &settings)
        let mcp = reader.section("mcp")
        if let enabled = mcp.bool("enabled") { settings.mcp.enabled = enabled }
        mcp.finish()
        readDurable(reader.section("durable"), into: &settings.durable)
        if let level = reader.choice("log_level", among: CapHostSettings.LogLevel.allCases.map(\.rawValue)) {
            settings.logLevel = CapHostSettings.LogLevel(rawValue: level)!
        }
        if let value = reader.duration("drain_timeout") { settings.drainTimeout = value }
        if let value = reader.duration("score_sample_interval", minimum: .milliseconds(100)) { settings.scoreSampleInterval = value }
        let plugins = reader.value("plugins")
        settings.host.pluginConfigs = PluginSections.read(plugins, problems: problems)
        // The same sections for descriptions; their problems were recorded just above.
        settings.pluginConfigsAsWritten = PluginSections.read(plugins, problems: ProblemCollector(file: file), references: .asWritten)
        settings.referencedSettings = root.referencedValues(excluding: ["plugins"])
        reader.finish()

        if let error = problems.error() { throw error }
        settings.host.pluginConfigLoader = PluginConfigFiles(environment: environment, redactor: settings.secrets).loader
        return settings
    }

    private static func readHTTP(_ http: MappingReader, into settings: inout CapHostSettings) {
        if let address = http.string("address") { settings.http.address = address }
        if let port = http.int("port", in: 0...65535) { settings.http.port = port }
        if let size = http.byteSize("max_request_bytes", in: 1...(1 << 30)) { settings.http.maxRequestBytes = size }
        if let value = http.duration("keep_alive_interval", minimum: .milliseconds(10)) { settings.http.keepAliveInterval = value }
        if let hosts = http.strings("allowed_hosts") { settings.http.allowedHosts = Set(hosts.map { $0.lowercased() }) }
        if let value = http.int("max_connections", in: 1...65_536) { settings.http.maxConnections = value }
        if let value = http.duration("idle_timeout", minimum: .milliseconds(100)) { settings.http.idleTimeout = value }
        if let value = http.int("max_event_streams", in: 1...10_000) { settings.http.maxEventStreams = value }
        if let token = secretReference(http, "token", example: "${CAPHOST_TOKEN}", into: &settings) {
            settings.http.token = token
        }
        let tls = http.section("tls")
        let certificate = tls.path("certificate")
        let key = tls.path("key")
        tls.finish()
        switch (certificate, key) {
        case (let certificate?, let key?):
            settings.http.tls = CapHostSettings.TLS(certificatePath: certificate, keyPath: key)
        case (nil, nil):
            break
        default:
            if let node = http.value("tls") {
                http.problems.add(at: node, "TLS needs both \"certificate\" and \"key\" (PEM file paths)")
            }
        }
        http.finish()
    }

    private static func readGRPC(_ grpc: MappingReader, into settings: inout CapHostSettings) {
        if let enabled = grpc.bool("enabled") { settings.grpc.enabled = enabled }
        if let address = grpc.string("address") { settings.grpc.address = address }
        if let port = grpc.int("port", in: 0...65535) { settings.grpc.port = port }
        if let package = grpc.string("package") {
            if package.split(separator: ".", omittingEmptySubsequences: false).allSatisfy({ part in
                !part.isEmpty && part.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") } && !part.first!.isNumber
            }) {
                settings.grpc.package = package
            } else if let node = grpc.value("package") {
                grpc.problems.expected("a protobuf package name such as oneiric.registry.v1", at: node)
            }
        }
        if let requireToken = grpc.bool("require_token") { settings.grpc.requireToken = requireToken }
        if let authority = grpc.path("client_ca") {
            if settings.http.tls == nil, let node = grpc.value("client_ca") {
                grpc.problems.add(at: node, "needs http.tls (the registry's certificate and key): mutual TLS is TLS first")
            } else {
                settings.grpc.clientCertificateAuthority = authority
            }
        }
        if grpc.has("jwt") {
            let jwt = grpc.section("jwt")
            let secret = secretReference(jwt, "secret", example: "${CAPHOST_REGISTRY_JWT_SECRET}", into: &settings)
            let project = jwt.string("project")
            let leeway = jwt.duration("leeway")
            if let secret {
                settings.grpc.jwt = CapHostSettings.GRPC.JWT(secret: secret, project: project, leeway: leeway ?? .seconds(10))
            } else if jwt.value("secret") == nil {
                jwt.problems.add(at: grpc.value("jwt")!, "needs 'secret: ${VAR}' (the shared HS256 secret, from the environment)")
            }
            jwt.finish()
        }
        grpc.finish()
    }

    /// A secret that must come from the environment (`key: ${VAR}`): recorded for
    /// redaction and for the description; a literal, an empty value or a non-text
    /// value is a problem at its line. Nil when absent or refused.
    private static func secretReference(_ reader: MappingReader, _ key: String, example: String,
                                        into settings: inout CapHostSettings) -> String? {
        guard let node = reader.value(key) else { return nil }
        let scalar = node.scalar
        switch scalar?.value {
        case .null? where scalar?.fromReference == false:
            // Absent (or refused already).
            return nil
        case .null?, .string("")?:
            reader.problems.add(at: node, "expected a non-empty \(key), found \(node.found) (the variable is set but empty?)")
        case .string?, .int?, .double?:
            if let scalar, scalar.fromReference {
                settings.secrets.add(scalar.resolved)
                settings.secretReferences[node.keyPath] = scalar.written
                return scalar.resolved
            }
            reader.problems.expected("a reference such as \(example)", at: node)
        case .bool?, nil:
            reader.problems.expected("a reference such as \(example)", at: node)
        }
        return nil
    }

    private static func readDurable(_ durable: MappingReader, into settings: inout CapHostSettings.Durable) {
        if let value = durable.int("max_attempts", in: 1...1_000) { settings.maxAttempts = value }
        if let value = durable.duration("initial_backoff", minimum: .milliseconds(1)) { settings.initialBackoff = value }
        if let value = durable.duration("max_backoff", minimum: .milliseconds(1)) { settings.maxBackoff = value }
        if let value = durable.duration("call_timeout", minimum: .milliseconds(1)) { settings.callTimeout = value }
        if let value = durable.int("workers", in: 1...256) { settings.workers = value }
        if let value = durable.duration("stop_timeout") { settings.stopTimeout = value }
        if let value = durable.byteSize("max_payload_bytes", in: 1...(1 << 30)) { settings.maxPayloadBytes = value }
        if let value = durable.duration("retain_finished", minimum: .seconds(1)) { settings.retainFinished = value }
        if settings.maxBackoff < settings.initialBackoff, let node = durable.value("max_backoff") ?? durable.value("initial_backoff") {
            let maxBackoff = durable.shown("max_backoff", DurationText.format(settings.maxBackoff))
            let initialBackoff = durable.shown("initial_backoff", DurationText.format(settings.initialBackoff))
            durable.problems.add(at: node, "max_backoff (\(maxBackoff)) must not be shorter than initial_backoff (\(initialBackoff))")
        }
        durable.finish()
    }
}
