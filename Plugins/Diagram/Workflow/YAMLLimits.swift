import PluginKit
// libyaml's event parser (the C library inside Yams): the only level at which aliases can be
// counted before they are expanded. Yams composes a `Node` tree in which an alias is its
// anchor's subtree, and hashing a mapping key or walking the tree then costs the expansion.
internal import CYaml

/// What a YAML text may hold before anything is built from it: its size, how deep sequences
/// and mappings nest, how many aliases (`*name`) it uses, and how many nodes it would have
/// once every alias is replaced by what it repeats.
///
/// ``check(_:)`` reads libyaml's events once, keeping only a count per open collection and
/// per anchor, so a "billion laughs" document of a few hundred bytes is refused after reading
/// a few hundred bytes, naming the limit, the line and column, and what it found there.
struct YAMLLimits: Sendable {
    /// Largest text, in UTF-8 bytes.
    var maxBytes: Int
    /// Deepest nesting of sequences and mappings (the root collection is level 1).
    var maxDepth: Int
    /// Most alias uses (`*name`) in one text.
    var maxAliases: Int
    /// Most nodes (scalars, sequences, mappings) once aliases are expanded.
    var maxNodes: Int

    /// The bounds for `render_workflow`: far above any real workflow, far below harm.
    static let workflow = YAMLLimits(maxBytes: 1 << 20, maxDepth: 64, maxAliases: 100, maxNodes: 100_000)

    /// Throws `INVALID_ARGUMENT` when `text` exceeds a limit. Syntax errors are left to the
    /// composer, which reports them with their line and column; nothing past one is composed.
    func check(_ text: String) throws(PluginError) {
        let size = text.utf8.count
        guard size <= maxBytes else {
            throw .invalidArgument("yaml: the text is too large: expected at most \(maxBytes) bytes, found \(size) bytes")
        }
        let bytes = Array(text.utf8)
        if let problem = bytes.withUnsafeBufferPointer({ scan($0) }) {
            throw .invalidArgument("yaml: " + problem)
        }
    }

    /// One open sequence or mapping: its anchor and the nodes it holds so far, itself included.
    private struct OpenCollection {
        var anchor: String?
        var nodes: Int
    }

    /// The first limit `buffer` exceeds, as an operator-facing message, or `nil`.
    private func scan(_ buffer: UnsafeBufferPointer<UInt8>) -> String? {
        var parser = yaml_parser_t()
        guard yaml_parser_initialize(&parser) == 1 else { return "the YAML parser could not start (out of memory)" }
        defer { yaml_parser_delete(&parser) }
        yaml_parser_set_encoding(&parser, YAML_UTF8_ENCODING)
        yaml_parser_set_input_string(&parser, buffer.baseAddress, buffer.count)

        var open: [OpenCollection] = []
        var anchors: [String: Int] = [:]
        var aliases = 0
        var expanded = 0

        while true {
            var event = yaml_event_t()
            guard yaml_parser_parse(&parser, &event) == 1 else { return nil }
            defer { yaml_event_delete(&event) }
            let at = "line \(event.start_mark.line + 1), column \(event.start_mark.column + 1)"

            /// Counts `nodes` more into the open collection and the document's total.
            func add(_ nodes: Int, what: () -> String) -> String? {
                let (total, overflow) = expanded.addingReportingOverflow(nodes)
                guard !overflow, total <= maxNodes else {
                    let found = overflow ? "more than \(Int.max)" : "\(total)"
                    return "\(at): too many nodes once aliases are expanded: expected at most \(maxNodes), found \(found) at \(what())"
                }
                expanded = total
                if !open.isEmpty { open[open.count - 1].nodes += nodes }
                return nil
            }

            switch event.type {
            case YAML_STREAM_END_EVENT:
                return nil
            case YAML_DOCUMENT_START_EVENT:
                anchors = [:]
            case YAML_SCALAR_EVENT:
                if let problem = add(1, what: { "this scalar" }) { return problem }
                if let anchor = Self.text(event.data.scalar.anchor) { anchors[anchor] = 1 }
            case YAML_SEQUENCE_START_EVENT, YAML_MAPPING_START_EVENT:
                let isSequence = event.type == YAML_SEQUENCE_START_EVENT
                guard open.count < maxDepth else {
                    return "\(at): nested too deeply: expected at most \(maxDepth) levels of sequences and mappings, found a \(isSequence ? "sequence" : "mapping") at level \(open.count + 1)"
                }
                if let problem = add(1, what: { isSequence ? "this sequence" : "this mapping" }) { return problem }
                let anchor = isSequence ? event.data.sequence_start.anchor : event.data.mapping_start.anchor
                open.append(OpenCollection(anchor: Self.text(anchor), nodes: 1))
            case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
                guard let closed = open.popLast() else { return nil }
                if let anchor = closed.anchor { anchors[anchor] = closed.nodes }
            case YAML_ALIAS_EVENT:
                let name = Self.text(event.data.alias.anchor) ?? ""
                aliases += 1
                guard aliases <= maxAliases else {
                    return "\(at): too many aliases: expected at most \(maxAliases) alias uses (*name), found alias use number \(aliases), *\(name)"
                }
                // An undefined anchor is the composer's error to report.
                guard let repeated = anchors[name] else { return nil }
                if let problem = add(repeated, what: { "alias *\(name), which repeats \(repeated) nodes" }) { return problem }
            default:
                break
            }
        }
    }

    /// A NUL-terminated libyaml string (anchor names), or `nil` when absent.
    private static func text(_ pointer: UnsafeMutablePointer<yaml_char_t>?) -> String? {
        pointer.map { String(cString: $0) }
    }
}
