import Foundation
import PluginKit

/// A `run` payload, checked: `{"project": "/abs/path", "mode": "fast"|"comp"|"tool",
/// "tool": "ruff-check", "timeout": 120}`. `mode` defaults to `tool` when `tool` is given and to
/// `fast` otherwise; `timeout` is seconds (a number, or a string such as "90s" or "5m") within
/// the configured maximum.
struct RunRequest: Sendable {
    let project: String
    let mode: Mode
    let timeout: Duration

    /// Which hooks crackerjack runs.
    enum Mode: Sendable, Equatable {
        case fast, comp
        case tool(String)

        /// `fast`, `comp` or `tool`.
        var name: String {
            switch self {
            case .fast: "fast"
            case .comp: "comp"
            case .tool: "tool"
            }
        }

        /// crackerjack's arguments (`{args}`).
        var arguments: [String] {
            switch self {
            case .fast: ["run", "--verbose", "--fast"]
            case .comp: ["run", "--verbose", "--comp"]
            case .tool(let hook): ["run", "--verbose", "--tool", hook]
            }
        }
    }

    static let fields = ["project", "mode", "tool", "timeout"]

    /// Decodes and checks the payload; every refusal is ``PluginError/invalidArgument(_:)``
    /// naming the field, what it expects and what it found.
    init(payload: [UInt8], defaultTimeout: Duration, maxTimeout: Duration) throws(PluginError) {
        let object: [String: JSONValue]
        do {
            object = try JSONDecoder().decode([String: JSONValue].self, from: Data(payload.isEmpty ? Array("{}".utf8) : payload))
        } catch {
            throw .invalidArgument("run: expected a JSON object such as {\"project\": \"/path/to/project\", \"mode\": \"tool\", \"tool\": \"ruff-check\"}, found \(Self.preview(payload))")
        }
        if let unknown = object.keys.sorted().first(where: { !Self.fields.contains($0) }) {
            throw .invalidArgument("run: unknown field '\(unknown)'; expected project, mode, tool, timeout")
        }
        guard let projectValue = object["project"] else {
            throw .invalidArgument("run: missing field 'project' (the absolute path of the Python project to check)")
        }
        guard case .string(let project) = projectValue, !project.isEmpty else {
            throw .invalidArgument("run: 'project' must be a non-empty string (an absolute path), found \(projectValue.description)")
        }
        self.project = project

        var tool: String?
        if let value = object["tool"], value != .null {
            guard case .string(let name) = value else {
                throw .invalidArgument("run: 'tool' must be a hook name string such as \"ruff-check\", found \(value.description)")
            }
            guard Self.isHookName(name) else {
                throw .invalidArgument("run: 'tool' must be a hook name of letters, digits, '.', '_' and '-' (at most 64), such as \"ruff-check\", found \"\(name)\"")
            }
            tool = name
        }
        let modeName: String
        switch object["mode"] {
        case nil, .null?: modeName = tool == nil ? "fast" : "tool"
        case .string(let name)?: modeName = name
        case let other?: throw .invalidArgument("run: 'mode' must be \"fast\", \"comp\" or \"tool\", found \(other.description)")
        }
        switch modeName {
        case "fast", "comp":
            if let tool {
                throw .invalidArgument("run: 'tool' (\"\(tool)\") is only used with mode \"tool\", found mode \"\(modeName)\"")
            }
            mode = modeName == "fast" ? .fast : .comp
        case "tool":
            guard let tool else {
                throw .invalidArgument("run: mode \"tool\" needs 'tool', the hook to run (e.g. \"ruff-check\", \"refurb\"), found none")
            }
            mode = .tool(tool)
        default:
            throw .invalidArgument("run: 'mode' must be \"fast\", \"comp\" or \"tool\", found \"\(modeName)\"")
        }

        switch object["timeout"] {
        case nil, .null?:
            timeout = defaultTimeout
        case let value?:
            let limit = Double(maxTimeout.components.seconds) + Double(maxTimeout.components.attoseconds) / 1e18
            guard let seconds = Self.seconds(value), seconds.isFinite, seconds >= 1, seconds <= limit else {
                throw .invalidArgument("run: 'timeout' must be seconds from 1 to \(Self.format(limit)) (config.max_timeout), as a number or a string such as \"90s\" or \"5m\", found \(value.description)")
            }
            timeout = .milliseconds(Int64((seconds * 1000).rounded()))
        }
    }

    /// `^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`: it becomes an argument, never a shell word, but a
    /// name like `--fast` must not become an option.
    static func isHookName(_ name: String) -> Bool {
        func isAlphanumeric(_ byte: UInt8) -> Bool {
            (48...57).contains(byte) || (65...90).contains(byte) || (97...122).contains(byte)
        }
        guard let first = name.utf8.first, isAlphanumeric(first), name.utf8.count <= 64 else { return false }
        return name.utf8.allSatisfy { isAlphanumeric($0) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: "-") }
    }

    private static func seconds(_ value: JSONValue) -> Double? {
        switch value {
        case .number(let number): return number
        case .string(let text):
            let trimmed = text.trimmingCharacters(in: .whitespaces)
            for (suffix, factor) in [("ms", 0.001), ("s", 1.0), ("m", 60.0), ("h", 3600.0)] where trimmed.hasSuffix(suffix) {
                return Double(trimmed.dropLast(suffix.count)).map { $0 * factor }
            }
            return Double(trimmed)
        default: return nil
        }
    }

    static func format(_ seconds: Double) -> String {
        seconds == seconds.rounded() ? String(Int(seconds)) : String(seconds)
    }

    private static func preview(_ payload: [UInt8]) -> String {
        let text = String(decoding: payload.prefix(80), as: UTF8.self)
        return payload.count > 80 ? "\"\(text)…\"" : "\"\(text)\""
    }
}
