import ArgumentParser
import CapHostCore
import Foundation

/// `caphost check FILE.so`: the offline conformance report.
struct CheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Check a plugin file offline: file and ELF checks, descriptor, create, health, destroy.",
        discussion: """
        Everything runs in a short-lived child process (caphost-runner --probe), so a plugin \
        that crashes or hangs is reported with the signal or timeout and harms nothing. \
        The exit status is 0 when every check passed and 1 otherwise; the report names the \
        failed check with what was expected and what was found.

        Examples:
          caphost check ./libecho_c.so
          caphost check ./libecho_c.so --invoke echo --payload '{"text":"hi"}'
          caphost check ./libmailgun.so --config @mailgun.json --json
        """)

    @Argument(help: "The plugin shared library to check.")
    var file: String

    @Option(help: "Configuration passed to create(): JSON text, or @FILE to read it from a file.")
    var config: String = "{}"

    @Option(help: "Also call this method inside the probe and report its status.")
    var invoke: String?

    @Option(help: "Payload for --invoke (JSON text, or @FILE).")
    var payload: String = "{}"

    @Option(help: "Capability for --invoke as domain:category:provider (default: the plugin's first).")
    var capability: String?

    @Option(help: "Seconds the probe may take before it is killed.")
    var timeout: Double = 10

    @Flag(help: "Print the report as JSON.")
    var json = false

    func run() async throws {
        let path = (file as NSString).expandingTildeInPath
        let absolute = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        let report = PluginConformanceCheck(
            file: absolute, config: try Self.readArgument(config, what: "--config"),
            invocation: invoke.map { ProbeInvocation(method: $0, capability: capability, payload: String(decoding: (try? Self.readArgument(payload, what: "--payload")) ?? [], as: UTF8.self)) },
            timeout: .milliseconds(Int64(timeout * 1000))
        ).run()
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(report), as: UTF8.self))
        } else {
            print(report.text)
        }
        if !report.passed { throw ExitCode(1) }
    }

    /// `TEXT` or `@FILE`.
    static func readArgument(_ value: String, what: String) throws -> [UInt8] {
        guard value.hasPrefix("@") else { return Array(value.utf8) }
        let path = String(value.dropFirst())
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ValidationError("\(what): cannot read \(path)")
        }
        return Array(data)
    }
}
