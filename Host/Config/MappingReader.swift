import Foundation

/// Reads the keys of one YAML mapping as typed values, reporting every value of
/// the wrong type or out of range, and — in `finish()` — every key nobody asked
/// for, with the closest known key as a suggestion.
///
/// A value from `${VAR}` is text; an accessor that wants a number or a boolean reads
/// that text strictly (decimal digits; `true`/`false`) and, when it cannot, says
/// "the value of ${VAR} is not …" without repeating it.
package final class MappingReader {
    private let node: ConfigNode?
    private let keyPath: String
    package let problems: ProblemCollector
    /// Folder that relative paths are resolved against (the YAML file's folder).
    private let baseDirectory: String
    private var known: [String] = []

    package init(_ node: ConfigNode?, keyPath: String, problems: ProblemCollector, baseDirectory: String) {
        self.keyPath = keyPath
        self.problems = problems
        self.baseDirectory = baseDirectory
        if let node, node.entries == nil {
            if node.scalar?.value != .null { problems.expected("a mapping of keys", at: node) }
            self.node = nil
        } else {
            self.node = node
        }
    }

    /// The raw value under `key` (marks the key as known).
    package func value(_ key: String) -> ConfigNode? {
        if !known.contains(key) { known.append(key) }
        return node?.entries?.first { $0.key == key }?.value
    }

    /// A nested mapping (absent or null: an empty one).
    package func section(_ key: String) -> MappingReader {
        let child = value(key)
        return MappingReader(child, keyPath: keyPath(for: key), problems: problems, baseDirectory: baseDirectory)
    }

    /// Whether the key is present with a non-null value.
    package func has(_ key: String) -> Bool {
        node?.entries?.contains { $0.key == key && $0.value.scalar?.value != .null } ?? false
    }

    package func bool(_ key: String) -> Bool? {
        typed(key, "true or false", fromEnvironment: { text in
            if case .success(.bool(let flag)) = CoreSchema.type(of: text) { .bool(flag) } else { nil }
        }) { if case .bool(let flag) = $0.value { flag } else { nil } }
    }

    package func string(_ key: String, allowEmpty: Bool = false) -> String? {
        typed(key, allowEmpty ? "text" : "non-empty text") { scalar in
            guard case .string(let text) = scalar.value else { return scalar.value == .null ? nil : scalar.text }
            return allowEmpty || !text.isEmpty ? text : nil
        }
    }

    /// Text chosen from a fixed set (`log_level: info`).
    package func choice(_ key: String, among choices: [String]) -> String? {
        let list = choices.joined(separator: ", ")
        return typed(key, "one of \(list)") { scalar in
            guard case .string(let text) = scalar.value else { return nil }
            return choices.contains(text) ? text : nil
        }
    }

    package func int(_ key: String, in range: ClosedRange<Int>, what: String = "an integer") -> Int? {
        typed(key, "\(what) \(Self.describe(range))", fromEnvironment: { DecimalText.integer($0).map { .int($0) } }) { scalar in
            guard case .int(let number) = scalar.value, range.contains(number) else { return nil }
            return number
        }
    }

    func double(_ key: String, in range: ClosedRange<Double>) -> Double? {
        typed(key, "a number \(Self.describe(range))", fromEnvironment: { DecimalText.number($0).map { .double($0) } }) { scalar in
            let number: Double? = switch scalar.value {
            case .int(let value): Double(value)
            case .double(let value): value
            default: nil
            }
            guard let number, range.contains(number) else { return nil }
            return number
        }
    }

    /// `250ms`, `5s`, `2m`, `1h` or a number of seconds, at least `minimum` and at most a year.
    package func duration(_ key: String, minimum: Duration = .zero) -> Duration? {
        let floor = minimum == .zero ? "" : " of at least \(DurationText.format(minimum))"
        return typed(key, "a duration such as 250ms, 5s, 2m or 1h\(floor), at most \(DurationText.longestText)") { scalar in
            let duration: Duration? = switch scalar.value {
            case .int(let seconds): DurationText.seconds(seconds)
            case .double(let seconds): DurationText.seconds(seconds)
            case .string(let text): DurationText.parse(text)
            default: nil
            }
            guard let duration, duration >= minimum else { return nil }
            return duration
        }
    }

    /// A byte count: an integer or `16MiB`, `512KiB`, `1GB`.
    func byteSize(_ key: String, in range: ClosedRange<Int>) -> Int? {
        typed(key, "a size such as 4096, 512KiB or 16MiB (\(range.lowerBound)…\(range.upperBound) bytes)") { scalar in
            let size: Int? = switch scalar.value {
            case .int(let value): value
            case .string(let text): ByteSizeText.parse(text)
            default: nil
            }
            guard let size, range.contains(size) else { return nil }
            return size
        }
    }

    /// A file or folder path; a relative one is resolved against the YAML file's folder.
    func path(_ key: String) -> String? {
        guard let text = string(key) else { return nil }
        let expanded = (text as NSString).expandingTildeInPath
        if expanded.hasPrefix("/") { return (expanded as NSString).standardizingPath }
        return ((baseDirectory as NSString).appendingPathComponent(expanded) as NSString).standardizingPath
    }

    /// A list of non-empty strings (one problem per bad item).
    func strings(_ key: String) -> [String]? {
        guard let node = value(key), node.scalar?.value != .null else { return nil }
        guard let items = node.items else {
            problems.expected("a list of text values", at: node)
            return nil
        }
        var values: [String] = []
        for item in items {
            if case .string(let text)? = item.scalar?.value, !text.isEmpty {
                values.append(text)
            } else {
                problems.expected("non-empty text", at: item)
            }
        }
        return values
    }

    /// Reports every key that no accessor asked for.
    package func finish() {
        guard let entries = node?.entries else { return }
        for entry in entries where !known.contains(entry.key) {
            var message = "unknown key \"\(entry.key)\""
            if let suggestion = KeySuggestion.closest(to: entry.key, among: known) {
                message += "; did you mean \"\(suggestion)\"?"
            } else {
                message += "; known keys here: \(known.joined(separator: ", "))"
            }
            problems.add(line: entry.line, column: entry.column, keyPath: keyPath(for: entry.key), message)
        }
    }

    package func keyPath(for key: String) -> String { keyPath.isEmpty ? key : "\(keyPath).\(key)" }

    /// `value` for a message that compares settings: itself, or "the value of ${VAR}" when
    /// `key` was read from the environment.
    func shown(_ key: String, _ value: String) -> String {
        guard let scalar = node?.entries?.first(where: { $0.key == key })?.value.scalar, scalar.fromReference else { return value }
        return scalar.referenceDescription
    }

    /// The value under `key` as `extract` reads it; a value from the environment (text) is
    /// first read by `fromEnvironment` (nil: it is not what the key takes).
    private func typed<T>(_ key: String, _ expectation: String,
                          fromEnvironment: (String) -> ConfigScalar.Value? = { .string($0) },
                          _ extract: (ConfigScalar) -> T?) -> T? {
        guard let node = value(key) else { return nil }
        if node.scalar?.value == .null { return nil }
        guard let written = node.scalar,
              let scalar = written.fromReference ? fromEnvironment(written.resolved).map(written.retyped) : written,
              let value = extract(scalar) else {
            problems.expected(expectation, at: node)
            return nil
        }
        return value
    }

    private static func describe(_ range: ClosedRange<Int>) -> String {
        if range.upperBound == .max { return "of at least \(range.lowerBound)" }
        return "\(range.lowerBound)…\(range.upperBound)"
    }

    private static func describe(_ range: ClosedRange<Double>) -> String {
        if range.upperBound == .greatestFiniteMagnitude { return "of at least \(range.lowerBound)" }
        return "from \(range.lowerBound) to \(range.upperBound)"
    }
}
