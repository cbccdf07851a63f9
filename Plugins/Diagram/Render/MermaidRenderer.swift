/// Writes a graph as a Mermaid 11 `flowchart`.
///
/// Every caller id becomes a generated id (`n0…` for nodes in their order, `g0…` for groups),
/// so ids like `end`, `subgraph` or `a-->b` cannot break the syntax; every label is quoted and
/// its risky characters written as Mermaid entity codes (REFERENCE §5).
enum MermaidRenderer {
    /// The flowchart text, ending with a newline.
    static func render(_ graph: DiagramGraph) -> String {
        var nodeIDs: [String: String] = [:]
        for (index, node) in graph.nodes.enumerated() { nodeIDs[node.id] = "n\(index)" }
        var lines: [String] = []
        if let title = graph.title {
            // The front-matter title is YAML shown as plain text: no entity decoding there.
            lines += ["---", "title: " + yamlQuoted(titleText(title)), "---"]
        }
        lines.append("flowchart \(graph.direction.rawValue)")

        var members: [String: [Int]] = [:]
        for (index, node) in graph.nodes.enumerated() {
            if let group = node.group { members[group, default: []].append(index) }
        }
        for (index, node) in graph.nodes.enumerated() where node.group == nil {
            lines.append("    " + declaration(node, id: "n\(index)"))
        }
        for (index, group) in graph.groups.enumerated() {
            lines.append("    subgraph g\(index) [\"\(labelText(group.label))\"]")
            for member in members[group.id] ?? [] {
                lines.append("        " + declaration(graph.nodes[member], id: "n\(member)"))
            }
            lines.append("    end")
        }
        for edge in graph.edges {
            guard let from = nodeIDs[edge.from], let to = nodeIDs[edge.to] else { continue }
            let arrow = switch edge.style {
            case .solid: "-->"
            case .dotted: "-.->"
            case .thick: "==>"
            }
            let label = edge.label.map { $0.isEmpty ? "" : "|\"\(labelText($0))\"|" } ?? ""
            lines.append("    \(from) \(arrow)\(label) \(to)")
        }
        let tones = NodeTone.allCases.filter { $0 != .neutral }
        for tone in tones {
            let ids = graph.nodes.indices.filter { graph.nodes[$0].tone == tone }.map { "n\($0)" }
            guard !ids.isEmpty else { continue }
            let palette = TonePalette(tone)
            lines.append("    classDef \(tone.rawValue) fill:\(palette.fill),stroke:\(palette.stroke),color:\(palette.text)")
            lines.append("    class \(ids.joined(separator: ",")) \(tone.rawValue)")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// `n3["label"]` in the shape of the node's kind.
    private static func declaration(_ node: DiagramNode, id: String) -> String {
        let text = "\"" + labelText(node.label) + "\""
        return switch node.kind {
        case .box: "\(id)[\(text)]"
        case .round: "\(id)(\(text))"
        case .stadium: "\(id)([\(text)])"
        case .database: "\(id)[(\(text))]"
        case .circle: "\(id)((\(text)))"
        case .decision: "\(id){\(text)}"
        }
    }

    /// A label for inside `"…"`: entity codes for every character Mermaid's grammar, its
    /// entity decoding or its HTML labels would read as syntax; lines joined by `<br/>`.
    /// An empty label becomes a non-breaking space (an empty `""` draws a collapsed shape).
    static func labelText(_ label: String) -> String {
        let lines = TextMetrics.lines(label).map { line in
            var text = ""
            for character in line {
                switch character {
                case "\"": text += "#quot;"
                case "<": text += "#lt;"
                case ">": text += "#gt;"
                case "&": text += "#amp;"
                case "#": text += "#35;"
                case ";": text += "#59;"
                case "|": text += "#124;"
                case "\\": text += "#92;"
                case "`": text += "#96;"
                case "%": text += "#37;"
                case "[", "]", "{", "}", "(", ")":
                    text += "#\(character.unicodeScalars.first!.value);"
                default: text.append(character)
                }
            }
            return text
        }
        let joined = lines.joined(separator: "<br/>")
        return joined.isEmpty ? "#160;" : joined
    }

    /// The title as plain text: front matter shows it literally but HTML-escapes `&`, `<`, `>`,
    /// so those become look-alike characters; line breaks become spaces.
    static func titleText(_ title: String) -> String {
        var text = ""
        for character in TextMetrics.lines(title).joined(separator: " ") {
            switch character {
            case "<": text += "‹"
            case ">": text += "›"
            case "&": text += "＆"
            default: text.append(character)
            }
        }
        return text
    }

    /// A YAML double-quoted scalar (JSON string syntax is valid YAML).
    private static func yamlQuoted(_ text: String) -> String {
        var quoted = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": quoted += "\\\""
            case "\\": quoted += "\\\\"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    quoted += " "
                } else {
                    quoted.unicodeScalars.append(scalar)
                }
            }
        }
        return quoted + "\""
    }
}
