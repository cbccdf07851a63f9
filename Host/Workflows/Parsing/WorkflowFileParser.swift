import CapHostConfig
import CapHostCore
import Foundation

/// Reads a workflow file — one workflow (`name`, `description`,
/// `adapter_requirements`, `steps`) or a `workflows:` list of them, as seed 001
/// writes them — and checks every reference before anything runs. Every
/// problem is reported at once, with file, line and column.
public enum WorkflowFileParser {
    /// Most steps one workflow may have.
    public static let maximumSteps = 10_000

    /// Reads the file at `path` (`file` names it in messages).
    public static func load(path: String, file: String? = nil) throws(ConfigFileError) -> [Workflow] {
        let named = file ?? path
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigFileError(file: named, message: "cannot be read (missing, or not a readable file)")
        }
        return try parse(data: data, file: named)
    }

    /// Reads workflow YAML from bytes: refused with the position of the first
    /// invalid byte when they are not UTF-8.
    public static func parse(data: Data, file: String) throws(ConfigFileError) -> [Workflow] {
        let bytes = [UInt8](data)
        if let offset = firstInvalidUTF8(bytes) {
            let prefix = bytes[..<offset]
            let line = prefix.filter { $0 == UInt8(ascii: "\n") }.count + 1
            let column = offset - (prefix.lastIndex(of: UInt8(ascii: "\n")).map { $0 + 1 } ?? 0) + 1
            throw ConfigFileError(file: file, problems: [ConfigProblem(file: file, line: line, column: column, keyPath: "",
                message: "not UTF-8 text: byte 0x\(String(bytes[offset], radix: 16, uppercase: true)) at offset \(offset) starts no valid character")])
        }
        return try parse(yaml: String(decoding: bytes, as: UTF8.self), file: file)
    }

    /// Reads workflow YAML text.
    public static func parse(yaml: String, file: String) throws(ConfigFileError) -> [Workflow] {
        let problems = ProblemCollector(file: file)
        var document = ConfigDocument.literal(problems: problems)
        document.maximumValues = 500_000
        guard let root = document.parse(yaml) else { throw problems.error()! }
        var reader = WorkflowReader(problems: problems, file: file, lines: yaml.split(separator: "\n", omittingEmptySubsequences: false))
        let workflows = reader.workflows(in: root)
        if let error = problems.error() { throw error }
        return workflows
    }

    /// The offset of the first byte that is not part of valid UTF-8, or nil.
    static func firstInvalidUTF8(_ bytes: [UInt8]) -> Int? {
        var iterator = bytes.makeIterator()
        var decoder = UTF8()
        var offset = 0
        while true {
            switch decoder.decode(&iterator) {
            case .scalarValue(let scalar): offset += UTF8.width(scalar)
            case .emptyInput: return nil
            case .error: return offset
            }
        }
    }
}

/// The walk over one file's YAML tree.
private struct WorkflowReader {
    let problems: ProblemCollector
    let file: String
    /// The file's lines, to find the column of a reference inside a value.
    let lines: [Substring]

    mutating func workflows(in root: ConfigNode) -> [Workflow] {
        guard root.entries != nil else {
            problems.expected("a workflow (name, steps) or a list under workflows:", at: root)
            return []
        }
        let top = MappingReader(root, keyPath: "", problems: problems, baseDirectory: "")
        var workflows: [Workflow] = []
        if let list = top.value("workflows") {
            top.finish()
            guard let items = list.items, !items.isEmpty else {
                problems.expected("a non-empty list of workflows", at: list)
                return []
            }
            for item in items {
                if let workflow = workflow(item) { workflows.append(workflow) }
            }
        } else if let workflow = workflow(root) {
            workflows.append(workflow)
        }
        var seen: [String: Int] = [:]
        for workflow in workflows {
            if let first = seen[workflow.name] {
                problems.add(line: workflow.line, column: workflow.column, keyPath: "workflows",
                             "a second workflow named '\(workflow.name)' (the first is at line \(first)): names must be unique in a file")
            } else {
                seen[workflow.name] = workflow.line
            }
        }
        return workflows
    }

    private mutating func workflow(_ node: ConfigNode) -> Workflow? {
        guard node.entries != nil else {
            problems.expected("a workflow: a mapping with name and steps", at: node)
            return nil
        }
        let reader = MappingReader(node, keyPath: node.keyPath, problems: problems, baseDirectory: "")
        let name = reader.string("name")
        if name == nil && !reader.has("name") { problems.add(at: node, "a workflow needs a name") }
        let description = reader.string("description", allowEmpty: true) ?? ""
        let requirements = self.requirements(reader.value("adapter_requirements"))
        let steps = self.steps(reader.value("steps"), owner: node)
        reader.finish()
        guard let name else { return nil }
        check(steps, workflow: name)
        return Workflow(name: name, description: description, requirements: requirements, steps: steps,
                        file: file, line: node.line, column: node.column)
    }

    private func requirements(_ node: ConfigNode?) -> [AdapterRequirement] {
        guard let node, node.scalar?.value != .null else { return [] }
        guard let items = node.items else {
            problems.expected("a list of requirements (domain, category, provider)", at: node)
            return []
        }
        return items.compactMap { item in
            guard item.entries != nil else {
                problems.expected("a requirement: a mapping with domain, category and (optionally) provider", at: item)
                return nil
            }
            let reader = MappingReader(item, keyPath: item.keyPath, problems: problems, baseDirectory: "")
            let domain = reader.string("domain"), category = reader.string("category"), provider = reader.string("provider")
            for key in ["domain", "category"] where !reader.has(key) { problems.add(at: item, "a requirement needs \(key)") }
            reader.finish()
            guard let domain, let category else { return nil }
            return AdapterRequirement(domain: domain, category: category, provider: provider, line: item.line, column: item.column)
        }
    }

    private mutating func steps(_ node: ConfigNode?, owner: ConfigNode) -> [WorkflowStep] {
        guard let node, let items = node.items, !items.isEmpty else {
            if let node { problems.expected("a non-empty list of steps", at: node) } else { problems.add(at: owner, "a workflow needs steps") }
            return []
        }
        guard items.count <= WorkflowFileParser.maximumSteps else {
            problems.add(at: node, "\(items.count) steps; a workflow may have at most \(WorkflowFileParser.maximumSteps)")
            return []
        }
        return items.compactMap(step)
    }

    private func step(_ node: ConfigNode) -> WorkflowStep? {
        guard node.entries != nil else {
            problems.expected("a step: a mapping with name and tool", at: node)
            return nil
        }
        let reader = MappingReader(node, keyPath: node.keyPath, problems: problems, baseDirectory: "")
        let name = reader.string("name")
        if let name, !name.utf8.allSatisfy(WorkflowReferenceParser.isNameByte) {
            problems.add(at: reader.value("name")!, "a step name is letters, digits, _ and -, found \"\(name)\"")
        }
        var tool: StepTool?
        if let text = reader.string("tool") {
            tool = StepTool(parsing: text)
            if tool == nil {
                problems.add(at: reader.value("tool")!,
                    "expected a tool: DOMAIN:CATEGORY/METHOD, DOMAIN:CATEGORY:PROVIDER/METHOD, an MCP tool name (DOMAIN__CATEGORY__METHOD), a method name or a host tool (\(RegistryQuery.allCases.map(\.rawValue).joined(separator: ", "))), found \"\(text)\"")
            }
        }
        for key in ["name", "tool"] where !reader.has(key) { problems.add(at: node, "a step needs \(key)") }
        // Usually a mapping (a tool's arguments); a capability takes any JSON as its payload.
        let params = reader.value("params").map(template) ?? .value(.object([:]))
        if case .registry = tool, let node = reader.value("params"), node.entries == nil, node.scalar?.value != .null {
            problems.expected("params as a mapping (the tool's arguments)", at: node)
        }
        let durable = reader.bool("durable") ?? false
        let timeout = reader.duration("timeout", minimum: .milliseconds(1))
        let onError = errorPolicy(reader.value("on_error"))
        var when: WorkflowReference?
        if let node = reader.value("when"), node.scalar?.value != .null {
            if case .string(let text)? = node.scalar?.value {
                let inner = text.hasPrefix("${") && text.hasSuffix("}") ? text.dropFirst(2).dropLast() : Substring(text)
                when = reference(inner, in: node)
            } else {
                problems.expected("a reference such as ${steps.check.healthy}", at: node)
            }
        }
        reader.finish()
        guard let name, let tool else { return nil }
        return WorkflowStep(name: name, tool: tool, params: params, durable: durable, timeout: timeout, onError: onError,
                            when: when, line: node.line, column: node.column)
    }

    private func errorPolicy(_ node: ConfigNode?) -> StepErrorPolicy {
        guard let node, node.scalar?.value != .null else { return .fail }
        if case .string(let text)? = node.scalar?.value {
            switch text {
            case "fail": return .fail
            case "continue": return .continue
            default: break
            }
        } else if let entries = node.entries, entries.count == 1, entries[0].key == "retry",
                  case .int(let times)? = entries[0].value.scalar?.value, (1...100).contains(times) {
            return .retry(times)
        }
        problems.expected("fail, continue or retry: N (1…100)", at: node)
        return .fail
    }

    /// A params value as a template: strings with `${…}` become references.
    private func template(_ node: ConfigNode) -> ParamTemplate {
        switch node.content {
        case .mapping(let entries):
            var members: [String: ParamTemplate] = [:]
            for entry in entries { members[entry.key] = template(entry.value) }
            return .object(members)
        case .sequence(let items):
            return .array(items.map(template))
        case .scalar(let scalar):
            switch scalar.value {
            case .null: return .value(.null)
            case .bool(let flag): return .value(.bool(flag))
            case .int(let number): return .value(.number(JSONNumber(number)))
            case .double(let number): return .value(.number(JSONNumber(number)))
            case .string(let text): return textTemplate(text, in: node)
            }
        }
    }

    /// A string: plain text, one reference, or text with references in it.
    private func textTemplate(_ text: String, in node: ConfigNode) -> ParamTemplate {
        guard text.contains("${") else { return .value(.string(text)) }
        var parts: [ParamTemplate.TextPart] = []
        var literal = ""
        var rest = Substring(text)
        while let start = rest.range(of: "${") {
            if start.lowerBound > rest.startIndex, rest[rest.index(before: start.lowerBound)] == "$" {
                // `$${` writes `${`.
                literal += rest[..<rest.index(before: start.lowerBound)] + "${"
                rest = rest[start.upperBound...]
                continue
            }
            literal += rest[..<start.lowerBound]
            guard let end = rest[start.upperBound...].firstIndex(of: "}") else {
                problems.add(line: node.line, column: column(of: rest[start.lowerBound...], in: node), keyPath: node.keyPath,
                             "'${' is not closed by '}' (write $${ for a literal ${)")
                return .value(.string(text))
            }
            guard let reference = reference(rest[start.upperBound..<end], in: node) else { return .value(.string(text)) }
            if !literal.isEmpty { parts.append(.literal(literal)) }
            literal = ""
            parts.append(.reference(reference))
            rest = rest[rest.index(after: end)...]
        }
        literal += rest
        if !literal.isEmpty { parts.append(.literal(literal)) }
        if parts.count == 1, case .reference(let reference) = parts[0] { return .reference(reference) }
        if parts.allSatisfy({ if case .literal = $0 { true } else { false } }) { return .value(.string(literal)) }
        return .text(parts)
    }

    /// Parses the inside of `${…}`, reporting a problem at its column.
    private func reference(_ inner: Substring, in node: ConfigNode) -> WorkflowReference? {
        let startColumn = column(of: inner, in: node)
        var parser = WorkflowReferenceParser(inner, line: node.line, column: startColumn)
        do {
            return try parser.parse()
        } catch {
            problems.add(line: node.line, column: error.column, keyPath: node.keyPath, "${\(inner)}: \(error.message)")
            return nil
        }
    }

    /// The column of `text` (a slice of the node's value) in the file: found on
    /// the node's line from its column on; the node's own column when the value
    /// spans lines or was written with escapes.
    private func column(of text: Substring, in node: ConfigNode) -> Int {
        guard node.line >= 1, node.line <= lines.count else { return node.column }
        let line = Array(lines[node.line - 1].utf8), wanted = Array(text.utf8)
        var start = max(0, node.column - 1)
        while start + wanted.count <= line.count {
            if line[start..<(start + wanted.count)].elementsEqual(wanted) { return start + 1 }
            start += 1
        }
        return node.column
    }

    /// Every reference must name an input, or a step that runs before the one reading it.
    private func check(_ steps: [WorkflowStep], workflow: String) {
        var positions: [String: Int] = [:]
        for (index, step) in steps.enumerated() {
            if let first = positions[step.name] {
                problems.add(line: step.line, column: step.column, keyPath: "steps[\(index)]",
                             "a second step named '\(step.name)' in workflow '\(workflow)' (the first is step \(first + 1), line \(steps[first].line)): step names must be unique")
            } else {
                positions[step.name] = index
            }
        }
        for (index, step) in steps.enumerated() {
            for reference in step.references {
                guard let name = reference.step else { continue }
                guard let position = positions[name] else {
                    let suggestion = KeySuggestion.closest(to: name, among: steps.map(\.name)).map { "; did you mean '\($0)'?" } ?? ""
                    problems.add(line: reference.line, column: reference.column, keyPath: "steps[\(index)]",
                                 "${\(reference)}: workflow '\(workflow)' has no step '\(name)'\(suggestion)")
                    continue
                }
                if position == index {
                    problems.add(line: reference.line, column: reference.column, keyPath: "steps[\(index)]",
                                 "${\(reference)}: step '\(name)' reads its own output (a cycle)")
                } else if position > index {
                    let loop = steps[position].references.contains { $0.step == step.name }
                    problems.add(line: reference.line, column: reference.column, keyPath: "steps[\(index)]",
                                 "${\(reference)}: step '\(name)' is used before it runs (it is step \(position + 1), this is step \(index + 1))"
                                 + (loop ? "; the two steps read each other (a cycle)" : ""))
                }
            }
        }
    }
}
