/// Why a plugin file was not loaded: which file, which check, and what was
/// expected versus found, written for the operator who reads it.
public struct PluginLoadError: Error, Sendable, Hashable, Codable, CustomStringConvertible {
    /// The load step that refused the plugin.
    public enum Check: String, Sendable, Hashable, Codable, CaseIterable {
        case file           // regular file, permissions, owner
        case elf            // ELF header, architecture, truncation
        case signature      // Ed25519 signature statement: name, version, SHA-256
        case copy           // content-addressed copy into the state dir
        case dlopen         // the dynamic loader refused it
        case entry          // the entry symbol is missing
        case descriptor     // magic, sizes, versions, names, pointers
        case create         // the plugin's create() failed
        case health         // the first health check failed
        case probe          // the child-process probe crashed, hung or failed
        case conflict       // another loaded plugin already provides a capability
        case config         // the plugin's configuration file could not be read
        case isolation      // its isolated process could not start, crashed or hung while loading
    }

    public let file: String
    public let check: Check
    public let detail: String

    public init(file: String, check: Check, detail: String) {
        self.file = file
        self.check = check
        self.detail = detail
    }

    public var description: String { "\(file): \(check.rawValue) check failed: \(detail)" }
}
