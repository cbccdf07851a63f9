import PluginKit

/// Turns the host's live capability graph (``CapabilityGraph`` from the `describe_capabilities`
/// host service) into a diagram: one group per slot holding a slot node and its candidates,
/// edges from the slot to each candidate — thick to the active one, solid to standbys, dotted
/// to excluded ones — and each candidate coloured by its state (active green, open breaker red,
/// half-open amber, excluded grey).
enum CapabilityDiagram {
    /// The graph of a `render_capabilities` payload (`domain`, `category` filter the slots).
    static func graph(_ capabilities: CapabilityGraph, payload: PayloadField) throws(PluginError) -> DiagramGraph {
        let domain = try payload.member("domain")?.string()
        let category = try payload.member("category")?.string()
        let direction = DiagramGraph.Direction(rawValue: try payload.member("direction")?.choice(["TD", "LR"]) ?? "LR") ?? .leftToRight
        let slots = capabilities.slots.filter { slot in
            (domain == nil || slot.domain == domain) && (category == nil || slot.category == category)
        }
        if slots.isEmpty && (domain != nil || category != nil) {
            let wanted = "\(domain ?? "*"):\(category ?? "*")"
            throw .notFound("render_capabilities: no slot matches \(wanted); the host has "
                            + (capabilities.slots.isEmpty ? "no slots" : capabilities.slots.map(\.name).joined(separator: ", ")))
        }
        let title = try payload.member("title")?.string()
            ?? "capabilities: \(slots.count) slot\(slots.count == 1 ? "" : "s"), \(slots.reduce(0) { $0 + $1.candidates.count }) candidates"
        var graph = DiagramGraph(direction: direction, title: title)
        for slot in slots {
            let group = "slot:\(slot.name)"
            graph.groups.append(DiagramGroup(id: group, label: slot.name))
            let slotNode = "slot-node:\(slot.name)"
            graph.nodes.append(DiagramNode(id: slotNode, label: ([slot.name] + wrapped(slot.decidedBy)).joined(separator: "\n"),
                                           kind: .stadium, group: group, tone: slot.active == nil ? .danger : .accent))
            for candidate in slot.candidates {
                let lines = [candidate.provider,
                             "\(candidate.plugin) \(candidate.version) · priority \(candidate.priority) · stack \(candidate.stackLevel)",
                             "score \(scoreText(candidate.score)) · breaker \(candidate.breaker)",
                             candidate.status] + wrapped(candidate.reason)
                graph.nodes.append(DiagramNode(id: "candidate:\(candidate.id)", label: lines.joined(separator: "\n"),
                                               kind: .box, group: group, tone: tone(of: candidate)))
                let style: EdgeStyle = switch candidate.status {
                case "active": .thick
                case "excluded": .dotted
                default: .solid
                }
                graph.edges.append(DiagramEdge(from: slotNode, to: "candidate:\(candidate.id)", label: candidate.status, style: style))
            }
        }
        try graph.checkLimits(at: "capabilities")
        return graph
    }

    private static func tone(of candidate: CapabilityGraph.Candidate) -> NodeTone {
        if candidate.breaker == "open" { return .danger }
        if candidate.breaker.hasPrefix("half") { return .warning }
        switch candidate.status {
        case "active": return .success
        case "excluded": return .muted
        default: return .neutral
        }
    }

    /// `0.93`: two decimals are what an operator compares.
    private static func scoreText(_ score: Double) -> String {
        let hundredths = Int((score * 100).rounded())
        return "\(hundredths / 100).\(hundredths % 100 < 10 ? "0" : "")\(hundredths % 100)"
    }

    /// `text` broken at spaces into lines of at most `width` characters (longer words stay whole).
    static func wrapped(_ text: String, width: Int = 44) -> [String] {
        var lines: [String] = []
        var line = ""
        for word in text.split(separator: " ") {
            if !line.isEmpty && line.count + 1 + word.count > width {
                lines.append(line)
                line = ""
            }
            line += line.isEmpty ? String(word) : " " + word
        }
        if !line.isEmpty { lines.append(line) }
        return lines
    }
}
