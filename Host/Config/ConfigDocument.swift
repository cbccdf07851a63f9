import Foundation
import Yams

/// Parses YAML text into a `ConfigNode` tree: resolves `${VAR}` references,
/// types scalars by the YAML 1.2 core schema, applies `<<` merge keys, refuses
/// secrets written as literals, and remembers resolved secrets in the redactor.
/// A document that would expand (through aliases) past `maximumValues` values,
/// or nest deeper than `maximumDepth`, is refused rather than walked.
package struct ConfigDocument {
    let problems: ProblemCollector
    let environment: [String: String]
    let redactor: SecretRedactor
    /// Prefix for suggested variable names (`CAPHOST` for caphost.yaml, the
    /// plugin stem for `plugins.d/NAME.yaml`).
    let variablePrefix: String?
    /// Whether `${VAR}` is an environment reference (and secrets are policed).
    /// Files with a reference language of their own (workflows) keep `${…}` as written.
    var environmentReferences = true
    /// Values the document may hold once aliases are expanded (a "billion laughs"
    /// file expands a few lines into billions).
    package var maximumValues = 1_000_000
    /// Nesting deeper than this is refused (mappings and lists count one level each).
    package var maximumDepth = 256
    /// Values converted so far, shared by the recursive walk.
    let walked = WalkedValues()

    /// Counts the values a walk produced.
    final class WalkedValues {
        var count = 0
        var overflowReported = false
    }

    /// A document whose `${…}` are kept as written: for files that give `${…}` a meaning of their own.
    package static func literal(problems: ProblemCollector) -> ConfigDocument {
        var document = ConfigDocument(problems: problems, environment: [:], redactor: SecretRedactor(), variablePrefix: nil)
        document.environmentReferences = false
        return document
    }

    /// The document's root, or nil when the YAML does not parse (the problem is
    /// recorded). An empty document is an empty mapping.
    package func parse(_ yaml: String) -> ConfigNode? {
        let root: Node?
        do {
            root = try Yams.compose(yaml: yaml, .basic)
        } catch let error as YamlError {
            recordSyntaxError(error)
            return nil
        } catch {
            problems.add(line: 0, column: 0, keyPath: "", "not valid YAML: \(error)")
            return nil
        }
        guard let root else { return ConfigNode(content: .mapping([]), line: 1, column: 1, keyPath: "") }
        walked.count = 0
        return convert(root, keyPath: "", key: nil, depth: 0)
    }

    private func recordSyntaxError(_ error: YamlError) {
        switch error {
        case .scanner(let context, let problem, let mark, _),
             .parser(let context, let problem, let mark, _),
             .composer(let context, let problem, let mark, _):
            let while_ = context.map { " (\($0.text) at \($0.mark.line):\($0.mark.column))" } ?? ""
            problems.add(line: mark.line, column: mark.column, keyPath: "", "YAML syntax error: \(problem)\(while_)")
        case .duplicatedKeysInMapping(let duplicates, let context):
            let names = duplicates.map { "\"\($0)\"" }.joined(separator: ", ")
            problems.add(line: context.mark.line, column: context.mark.column, keyPath: "",
                         "duplicate key \(names) in one mapping: each key may appear once")
        case .reader(let problem, let offset, _, let yaml):
            let (line, column) = offset.map { Self.lineAndColumn(of: $0, in: yaml) } ?? (0, 0)
            problems.add(line: line, column: column, keyPath: "", "cannot read the text: \(problem)")
        default:
            problems.add(line: 0, column: 0, keyPath: "", "not valid YAML: \(error)")
        }
    }

    private static func lineAndColumn(of offset: Int, in text: String) -> (Int, Int) {
        var line = 1
        var column = 1
        for (index, byte) in text.utf8.enumerated() {
            if index >= offset { break }
            if byte == UInt8(ascii: "\n") { line += 1; column = 1 } else { column += 1 }
        }
        return (line, column)
    }

    private func convert(_ node: Node, keyPath: String, key: String?, depth: Int) -> ConfigNode {
        let (line, column) = (node.mark?.line ?? 0, node.mark?.column ?? 0)
        walked.count += 1
        if walked.count > maximumValues || depth > maximumDepth {
            if !walked.overflowReported {
                walked.overflowReported = true
                problems.add(line: line, column: column, keyPath: keyPath, walked.count > maximumValues
                    ? "the document holds more than \(maximumValues) values once its aliases are expanded; refused (a file that multiplies itself through anchors and aliases)"
                    : "values nest more than \(maximumDepth) levels deep here; refused")
            }
            return ConfigNode(content: .scalar(ConfigScalar(value: .null, written: "", resolved: "", fromReference: false, isSecret: false)),
                              line: line, column: column, keyPath: keyPath)
        }
        switch node {
        case .scalar(let scalar):
            return ConfigNode(content: .scalar(convert(scalar, keyPath: keyPath, key: key, line: line, column: column)),
                              line: line, column: column, keyPath: keyPath)
        case .sequence(let sequence):
            let items = sequence.enumerated().map { index, item in convert(item, keyPath: "\(keyPath)[\(index)]", key: nil, depth: depth + 1) }
            return ConfigNode(content: .sequence(items), line: line, column: column, keyPath: keyPath)
        case .mapping(let mapping):
            return ConfigNode(content: .mapping(entries(of: mapping, keyPath: keyPath, depth: depth + 1)), line: line, column: column, keyPath: keyPath)
        case .alias:
            // compose() resolves aliases; an alias node here would be a Yams change.
            problems.add(line: line, column: column, keyPath: keyPath, "unresolved alias")
            return ConfigNode(content: .scalar(ConfigScalar(value: .null, written: "", resolved: "", fromReference: false, isSecret: false)),
                              line: line, column: column, keyPath: keyPath)
        }
    }

    private func entries(of mapping: Node.Mapping, keyPath: String, depth: Int) -> [ConfigEntry] {
        var entries: [ConfigEntry] = []
        var merged: [ConfigEntry] = []
        for (keyNode, valueNode) in mapping {
            let (line, column) = (keyNode.mark?.line ?? 0, keyNode.mark?.column ?? 0)
            guard case .scalar(let keyScalar) = keyNode else {
                problems.add(line: line, column: column, keyPath: keyPath, "a key must be plain text, found a \(keyNode.mapping != nil ? "mapping" : "list")")
                continue
            }
            let key = keyScalar.string
            if key == "<<" && keyScalar.style == .plain {
                merged += mergeSources(valueNode, keyPath: keyPath, line: line, column: column, depth: depth)
                continue
            }
            let childPath = keyPath.isEmpty ? key : "\(keyPath).\(key)"
            entries.append(ConfigEntry(key: key, line: line, column: column, value: convert(valueNode, keyPath: childPath, key: key, depth: depth)))
        }
        // Keys written in this mapping win over merged ones (YAML merge-key rule).
        for entry in merged where !entries.contains(where: { $0.key == entry.key }) {
            entries.append(entry)
        }
        return entries
    }

    private func mergeSources(_ value: Node, keyPath: String, line: Int, column: Int, depth: Int) -> [ConfigEntry] {
        let sources: [Node]
        switch value {
        case .mapping: sources = [value]
        case .sequence(let sequence): sources = Array(sequence)
        default: sources = []
        }
        var merged: [ConfigEntry] = []
        for source in sources {
            guard case .mapping(let mapping) = source else {
                problems.add(line: line, column: column, keyPath: keyPath, "\"<<\" merges mappings: expected a mapping or a list of mappings (usually *anchor)")
                continue
            }
            for entry in entries(of: mapping, keyPath: keyPath, depth: depth) where !merged.contains(where: { $0.key == entry.key }) {
                merged.append(entry)
            }
        }
        if sources.isEmpty {
            problems.add(line: line, column: column, keyPath: keyPath, "\"<<\" merges mappings: expected a mapping or a list of mappings (usually *anchor)")
        }
        return merged
    }

    private func convert(_ scalar: Node.Scalar, keyPath: String, key: String?, line: Int, column: Int) -> ConfigScalar {
        let written = scalar.string
        let plain = scalar.style == .plain || scalar.style == .any
        let secretKey = environmentReferences && (key.map(SecretNames.isSecretKey) ?? false)
        func fail(_ message: String) -> ConfigScalar {
            problems.add(line: line, column: column, keyPath: keyPath, message)
            return ConfigScalar(value: .null, written: written, resolved: "", fromReference: false, isSecret: secretKey)
        }

        var text = written
        var fromReference = false
        var isSecret = secretKey
        if environmentReferences && written.contains("${") {
            do {
                let resolution = try EnvironmentReference.resolve(written, environment: environment)
                text = resolution.text
                fromReference = !resolution.variables.isEmpty
                let secretVariables = resolution.variables.filter(SecretNames.isSecretVariable)
                if !secretVariables.isEmpty { isSecret = true }
                if isSecret {
                    redactor.add(text)
                    for name in resolution.variables where secretKey || SecretNames.isSecretVariable(name) {
                        redactor.add(environment[name] ?? "")
                    }
                }
            } catch {
                return fail(error.message)
            }
        }

        let value: ConfigScalar.Value
        let tag = scalar.tag.rawValue
        switch tag {
        case Tag.Name.str.rawValue:
            value = .string(text)
        case _ where fromReference:
            // What the environment holds stays the text it is (`007`, not 7; `0x1F`, not 31):
            // typing it would change it, and a message about the typed value would repeat it.
            // A host setting that takes a number reads this text as a decimal (MappingReader).
            guard tag.isEmpty || tag == "!" else {
                return fail("the tag \(tag) does not apply to \(written): a value from the environment is always text (settings that take a number read it as a decimal number)")
            }
            value = .string(text)
        case "", "!":
            if plain {
                switch CoreSchema.type(of: text) {
                case .success(let typed): value = typed
                case .failure(let error): return fail(error.message)
                }
            } else {
                value = .string(text)
            }
        case Tag.Name.int.rawValue, Tag.Name.float.rawValue, Tag.Name.bool.rawValue, Tag.Name.null.rawValue:
            switch CoreSchema.type(of: text) {
            case .success(let typed) where CoreSchema.matches(typed, tag: tag):
                value = typed
            case .success(.int(let number)) where tag == Tag.Name.float.rawValue:
                value = .double(Double(number))
            case .failure(let error):
                return fail(error.message)
            default:
                return fail("the tag \(tag) does not fit \"\(isSecret ? "[secret]" : written)\"")
            }
        default:
            return fail("the tag \(tag) is not supported here: write plain YAML values (strings, numbers, true/false, null)")
        }

        if secretKey, !fromReference {
            switch value {
            case .null, .bool:
                break
            default:
                if !(written.isEmpty) {
                    let variable = SecretNames.suggestedVariable(for: keyPath, prefix: variablePrefix)
                    return fail("a secret must not be written into the file: use a reference such as ${\(variable)} and set \(variable) in the environment")
                }
            }
        }
        return ConfigScalar(value: value, written: written, resolved: text, fromReference: fromReference, isSecret: isSecret && fromReference)
    }
}
