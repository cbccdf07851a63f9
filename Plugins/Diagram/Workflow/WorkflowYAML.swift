import PluginKit
import Yams

/// Workflow YAML text as a ``PayloadValue`` that remembers each node's line and column, so a
/// workflow error can say where in the file it is; syntax errors come with theirs.
///
/// Anchors and aliases are allowed within ``YAMLLimits/workflow``, checked before Yams
/// composes anything: composing and converting both cost what the aliases expand to.
enum WorkflowYAML {
    /// Parses `text`; throws `INVALID_ARGUMENT` with line and column for bad YAML or a text
    /// over a limit.
    static func value(_ text: String) throws(PluginError) -> PayloadValue {
        try YAMLLimits.workflow.check(text)
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            throw .invalidArgument("yaml: " + message(error))
        } catch {
            throw .invalidArgument("yaml: \(error)")
        }
        guard let root else { throw .invalidArgument("yaml: expected a workflow mapping, found an empty document") }
        return try convert(root)
    }

    /// `line 4, column 9: mapping values are not allowed in this context`.
    private static func message(_ error: YamlError) -> String {
        switch error {
        case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _),
             .composer(let context, let problem, let mark, _):
            let around = context.map { " (\($0.text) at line \($0.mark.line), column \($0.mark.column))" } ?? ""
            return "line \(mark.line), column \(mark.column): \(problem)\(around)"
        case .duplicatedKeysInMapping(let duplicates, let context):
            return "line \(context.mark.line), column \(context.mark.column): duplicate keys \(duplicates.joined(separator: ", ")) in one mapping"
        case .reader(let problem, let offset, _, _):
            return "\(problem)" + (offset.map { " at byte \($0)" } ?? "")
        default:
            return "\(error)"
        }
    }

    private static func convert(_ node: Node) throws(PluginError) -> PayloadValue {
        let mark = node.mark.map { SourceMark(line: $0.line, column: $0.column) }
        switch node {
        case .scalar(let scalar):
            switch Tag.Name(rawValue: node.tag.rawValue) {
            case .null: return PayloadValue(.null, mark: mark)
            case .bool: return PayloadValue(.bool(node.bool ?? false), mark: mark)
            case .int, .float:
                if let number = node.float ?? node.int.map(Double.init) { return PayloadValue(.number(number), mark: mark) }
                return PayloadValue(.string(scalar.string), mark: mark)
            default: return PayloadValue(.string(scalar.string), mark: mark)
            }
        case .sequence(let sequence):
            var items: [PayloadValue] = []
            for item in sequence { items.append(try convert(item)) }
            return PayloadValue(.array(items), mark: mark)
        case .mapping(let mapping):
            var members: [String: PayloadValue] = [:]
            for (key, value) in mapping {
                guard case .scalar(let keyScalar) = key else {
                    throw .invalidArgument("yaml: \(mark.map { "\($0)" } ?? "a mapping"): expected text keys, found a \(key.sequence == nil ? "mapping" : "sequence") as a key")
                }
                members[keyScalar.string] = try convert(value)
            }
            return PayloadValue(.object(members), mark: mark)
        case .alias:
            // Yams' composer replaces every alias by its anchor's node; only its encoder makes these.
            throw .invalidArgument("yaml: \(mark.map { "\($0)" } ?? "an alias"): expected a value, found an alias (*anchor) left unresolved")
        }
    }
}
