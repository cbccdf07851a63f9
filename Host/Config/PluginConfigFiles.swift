import Foundation

/// Reads `plugins.d/<stem>.yaml` (or `.yml`) beside `<stem>.so` — a plugin's own
/// configuration file — into the JSON text handed to its `create`, with `${VAR}`
/// references resolved and literal secrets refused, exactly like a
/// `plugins.<stem>` section of caphost.yaml. Install `loader` as
/// `HostConfiguration.pluginConfigLoader`.
public struct PluginConfigFiles: Sendable {
    /// The environment references are resolved from.
    public let environment: [String: String]
    /// Where resolved secrets are remembered for scrubbing.
    public let redactor: SecretRedactor

    /// A reader resolving references from `environment`.
    public init(environment: [String: String], redactor: SecretRedactor) {
        self.environment = environment
        self.redactor = redactor
    }

    /// The hook for `HostConfiguration.pluginConfigLoader`.
    public var loader: @Sendable (_ stem: String, _ directory: String) throws -> String? {
        let files = self
        return { stem, directory in try files.load(stem: stem, directory: directory) }
    }

    /// The JSON text of `<directory>/<stem>.yaml`, or nil when there is no such
    /// file. Throws with file, line and column when the file is not usable.
    public func load(stem: String, directory: String) throws(ConfigFileError) -> String? {
        let candidates = ["yaml", "yml"].map { (directory as NSString).appendingPathComponent("\(stem).\($0)") }
        let present = candidates.filter { FileManager.default.fileExists(atPath: $0) }
        guard let file = present.first else { return nil }
        if present.count > 1 {
            throw ConfigFileError(file: file, message: "both \(stem).yaml and \(stem).yml configure this plugin: keep one")
        }
        guard let data = FileManager.default.contents(atPath: file) else {
            throw ConfigFileError(file: file, message: "cannot be read (check its permissions)")
        }
        guard let text = String(data: data, encoding: .utf8) else { throw ConfigFileError(file: file, message: "is not UTF-8 text") }
        return try json(yaml: text, file: file, stem: stem)
    }

    /// Converts one plugin configuration document to JSON text.
    package func json(yaml: String, file: String, stem: String) throws(ConfigFileError) -> String {
        let problems = ProblemCollector(file: file)
        let document = ConfigDocument(problems: problems, environment: environment, redactor: redactor,
                                      variablePrefix: Self.variablePrefix(for: stem))
        let json = document.parse(yaml).flatMap { PluginSections.objectJSON($0, problems: problems) }
        if let error = problems.error() { throw error }
        return json ?? "{}"
    }

    /// `libmailgun` → `MAILGUN`: how suggested variable names start.
    static func variablePrefix(for stem: String) -> String {
        stem.hasPrefix("lib") && stem.count > 3 ? String(stem.dropFirst(3)) : stem
    }
}
