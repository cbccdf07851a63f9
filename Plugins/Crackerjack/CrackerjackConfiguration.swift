import CrackerjackOutput
import Foundation
#if canImport(Glibc)
import Glibc
#endif
import PluginKit

/// The plugin's configuration (`plugins: <file stem>:` in caphost.yaml, `libcrackerjack` as serve.sh installs it, or
/// `<file stem>.json` / `.yaml` beside the library), validated once at `create`.
struct CrackerjackConfiguration: Sendable {
    /// The argv that runs crackerjack: `{args}` (a whole element) becomes crackerjack's own
    /// arguments; `{workdir}`, `{rundir}` and `{home}` are replaced inside any element.
    let command: CommandTemplate
    /// Variables given to the command on top of the inherited ones; values may hold placeholders.
    let environment: [String: String]
    /// Names of the host's variables passed through (everything else is withheld: the host's
    /// secrets never reach the project's code).
    let inheritEnvironment: [String]
    /// Real paths (symlinks resolved) under which a project may lie.
    let allowedRoots: [String]
    /// The limit of a run whose payload names none.
    let defaultTimeout: Duration
    /// The largest limit a payload may ask for.
    let maxTimeout: Duration
    /// SIGTERM to the group at the limit, SIGKILL this long after.
    let killGrace: Duration
    /// Bytes kept per stream (stdout, stderr): the first and last halves; the middle is counted
    /// and dropped.
    let outputCapBytes: Int
    /// Where private run folders are made (one per run, removed afterwards).
    let workParent: String
    /// Entry names never copied (caches the tools rebuild).
    let exclude: Set<String>
    /// The largest project (sum of regular file sizes) a run copies.
    let maxProjectBytes: Int
    /// Runs at once; one more is refused as rate-limited.
    let maxConcurrentRuns: Int
    /// The limit of one version check (`{args}` = `--version`).
    let healthTimeout: Duration
    /// How long `health` waits for a version check under way before answering from what it knows.
    let healthWait: Duration
    /// How long a version check's answer is reused.
    let healthInterval: Duration

    /// Keys of the config document, for the unknown-key check.
    static let keys: [String] = [
        "command", "environment", "inherit_environment", "allowed_roots", "default_timeout", "max_timeout",
        "kill_grace", "output_cap_bytes", "work_parent", "exclude", "max_project_bytes", "max_concurrent_runs",
        "health_timeout", "health_wait", "health_interval",
    ]

    /// Variables passed through by default: locale, CA bundles and proxies (uv reaches PyPI).
    static let defaultInherited = [
        "PATH", "LANG", "LC_ALL", "LC_CTYPE", "TZ", "SSL_CERT_FILE", "SSL_CERT_DIR", "REQUESTS_CA_BUNDLE",
        "CURL_CA_BUNDLE", "UV_NATIVE_TLS", "UV_INDEX_URL", "UV_DEFAULT_INDEX", "PIP_INDEX_URL",
        "HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY", "http_proxy", "https_proxy", "no_proxy",
    ]

    /// Variables set by default: a wide console (rich wraps long issue lines at 80 columns
    /// otherwise), no colour, and a private HOME per run (crackerjack keeps locks and caches there).
    static let defaultEnvironment = ["COLUMNS": "1000", "NO_COLOR": "1", "TERM": "dumb", "HOME": "{home}"]

    /// The configuration JSON as written.
    struct Document: Decodable {
        var command: [String]?
        var environment: [String: String]?
        var inheritEnvironment: [String]?
        var allowedRoots: [String]?
        var defaultTimeout: Double?
        var maxTimeout: Double?
        var killGrace: Double?
        var outputCapBytes: Int?
        var workParent: String?
        var exclude: [String]?
        var maxProjectBytes: Int?
        var maxConcurrentRuns: Int?
        var healthTimeout: Double?
        var healthWait: Double?
        var healthInterval: Double?

        enum CodingKeys: String, CodingKey {
            case command, environment, exclude
            case inheritEnvironment = "inherit_environment", allowedRoots = "allowed_roots"
            case defaultTimeout = "default_timeout", maxTimeout = "max_timeout", killGrace = "kill_grace"
            case outputCapBytes = "output_cap_bytes", workParent = "work_parent", maxProjectBytes = "max_project_bytes"
            case maxConcurrentRuns = "max_concurrent_runs", healthTimeout = "health_timeout"
            case healthWait = "health_wait", healthInterval = "health_interval"
        }
    }

    /// Reads and checks the configuration; throws ``PluginError/invalidArgument(_:)`` naming the
    /// key, what it expects and what it found.
    init(_ document: Document, keysPresent: [String]) throws(PluginError) {
        if let unknown = keysPresent.first(where: { !Self.keys.contains($0) }) {
            throw .invalidArgument("config: unknown key '\(unknown)'; expected one of \(Self.keys.joined(separator: ", "))")
        }
        command = try CommandTemplate(document.command ?? ["crackerjack", "{args}"], field: "config.command")
        var environment = Self.defaultEnvironment
        for (name, value) in document.environment ?? [:] {
            guard Self.isVariableName(name) else {
                throw .invalidArgument("config.environment: expected variable names of letters, digits and '_', found \"\(name)\"")
            }
            try CommandTemplate.checkPlaceholders(in: value, field: "config.environment.\(name)")
            environment[name] = value
        }
        self.environment = environment
        inheritEnvironment = document.inheritEnvironment ?? Self.defaultInherited
        if let bad = inheritEnvironment.first(where: { !Self.isVariableName($0) }) {
            throw .invalidArgument("config.inherit_environment: expected variable names, found \"\(bad)\"")
        }

        let roots = document.allowedRoots ?? []
        guard !roots.isEmpty else {
            throw .invalidArgument("config.allowed_roots: expected at least one absolute folder under which projects may be checked (e.g. [\"/home/me/src\"]), found none")
        }
        allowedRoots = try roots.map { root throws(PluginError) in
            guard root.hasPrefix("/") else {
                throw .invalidArgument("config.allowed_roots: expected absolute folders, found \"\(root)\"")
            }
            guard let real = FileSystemPath.realPath(root), FileSystemPath.isDirectory(real) else {
                throw .invalidArgument("config.allowed_roots: \"\(root)\" does not exist or is not a folder")
            }
            return real
        }

        defaultTimeout = try Self.seconds(document.defaultTimeout, default: 300, field: "default_timeout", range: 1...86_400)
        maxTimeout = try Self.seconds(document.maxTimeout, default: 1_800, field: "max_timeout", range: 1...86_400)
        guard defaultTimeout <= maxTimeout else {
            throw .invalidArgument("config: default_timeout (\(RunRequest.format(defaultTimeout.seconds)) s) must not exceed max_timeout (\(RunRequest.format(maxTimeout.seconds)) s)")
        }
        killGrace = try Self.seconds(document.killGrace, default: 5, field: "kill_grace", range: 0.1...60)
        outputCapBytes = try Self.integer(document.outputCapBytes, default: 4 << 20, field: "output_cap_bytes", range: 4_096...(256 << 20))
        maxProjectBytes = try Self.integer(document.maxProjectBytes, default: 256 << 20, field: "max_project_bytes", range: 1...(64 << 30))
        maxConcurrentRuns = try Self.integer(document.maxConcurrentRuns, default: 2, field: "max_concurrent_runs", range: 1...64)
        healthTimeout = try Self.seconds(document.healthTimeout, default: 30, field: "health_timeout", range: 0.1...600)
        healthWait = try Self.seconds(document.healthWait, default: 1.5, field: "health_wait", range: 0...600)
        healthInterval = try Self.seconds(document.healthInterval, default: 60, field: "health_interval", range: 0...86_400)

        let parent = document.workParent ?? (NSTemporaryDirectory().hasSuffix("/") ? String(NSTemporaryDirectory().dropLast()) : NSTemporaryDirectory())
        guard parent.hasPrefix("/") else {
            throw .invalidArgument("config.work_parent: expected an absolute folder, found \"\(parent)\"")
        }
        if !FileSystemPath.isDirectory(parent) {
            do {
                try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true,
                                                        attributes: [.posixPermissions: 0o700])
            } catch {
                throw .invalidArgument("config.work_parent: \"\(parent)\" is not a folder and could not be created: \(error.localizedDescription)")
            }
        }
        guard let realParent = FileSystemPath.realPath(parent) else {
            throw .invalidArgument("config.work_parent: \"\(parent)\" cannot be resolved")
        }
        workParent = realParent
        let names = document.exclude ?? [".venv", ".crackerjack", "__pycache__", ".ruff_cache", ".mypy_cache", ".pytest_cache"]
        if let bad = names.first(where: { $0.isEmpty || $0.contains("/") || $0 == "." || $0 == ".." }) {
            throw .invalidArgument("config.exclude: expected entry names without '/', found \"\(bad)\"")
        }
        exclude = Set(names)
    }

    /// `^[A-Za-z_][A-Za-z0-9_]*$`.
    static func isVariableName(_ name: String) -> Bool {
        guard let first = name.utf8.first, !(UInt8(ascii: "0")...UInt8(ascii: "9")).contains(first) else { return false }
        return name.utf8.allSatisfy { ($0 >= 65 && $0 <= 90) || ($0 >= 97 && $0 <= 122) || ($0 >= 48 && $0 <= 57) || $0 == 95 }
    }

    private static func seconds(_ value: Double?, default fallback: Double, field: String,
                                range: ClosedRange<Double>) throws(PluginError) -> Duration {
        let seconds = value ?? fallback
        guard seconds.isFinite, range.contains(seconds) else {
            throw .invalidArgument("config.\(field): expected \(range.lowerBound)...\(range.upperBound) seconds, found \(seconds)")
        }
        return .milliseconds(Int64((seconds * 1000).rounded()))
    }

    private static func integer(_ value: Int?, default fallback: Int, field: String, range: ClosedRange<Int>) throws(PluginError) -> Int {
        let number = value ?? fallback
        guard range.contains(number) else {
            throw .invalidArgument("config.\(field): expected \(range.lowerBound)...\(range.upperBound), found \(number)")
        }
        return number
    }
}

extension CrackerjackConfiguration {
    /// The child's environment: the inherited names from the host's, then the configured ones
    /// with their placeholders replaced.
    func childEnvironment(_ folders: RunFolders) -> [String: String] {
        let host = ProcessInfo.processInfo.environment
        var result: [String: String] = [:]
        for name in inheritEnvironment {
            if let value = host[name] { result[name] = value }
        }
        if result["PATH"] == nil { result["PATH"] = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" }
        for (name, value) in environment { result[name] = folders.substitute(value) }
        return result
    }

    /// Decodes the context's config and checks it.
    static func read(from context: PluginContext) throws(PluginError) -> CrackerjackConfiguration {
        let document = try context.decodeConfig(Document.self)
        let keys = (try? JSONSerialization.jsonObject(with: Data(context.config.isEmpty ? Array("{}".utf8) : context.config)) as? [String: Any])?.keys
        return try CrackerjackConfiguration(document, keysPresent: keys.map { Array($0).sorted() } ?? [])
    }
}
