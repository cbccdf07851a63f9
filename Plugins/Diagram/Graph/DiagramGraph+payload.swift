import PluginKit

extension DiagramGraph {
    /// Reads and validates `field` (the `graph` object of a `render` payload): every shape
    /// problem, unknown id or duplicate is an `INVALID_ARGUMENT` naming its JSON path.
    init(payload field: PayloadField, title: String?) throws(PluginError) {
        let direction = try field.member("direction")?.choice(["TD", "LR"]) ?? "TD"
        var groups: [DiagramGroup] = []
        var groupPaths: [String: String] = [:]
        for element in try field.member("groups")?.elements() ?? [] {
            let idField = try element.required("id", expected: "a group id (string)")
            let id = try idField.nonEmptyString(limit: Self.maximumIDLength)
            if let first = groupPaths[id] {
                throw idField.error(
                    expected: "a group id not used before", found: "\(PayloadValue.quoted(id)), already the id of \(first)")
            }
            groupPaths[id] = element.path
            let label = try element.member("label")?.string() ?? id
            groups.append(DiagramGroup(id: id, label: try Self.checkedLabel(label, at: element, key: "label")))
        }
        var nodes: [DiagramNode] = []
        var nodePaths: [String: String] = [:]
        for element in try field.required("nodes", expected: "an array of nodes").elements() {
            let idField = try element.required("id", expected: "a node id (string)")
            let id = try idField.nonEmptyString(limit: Self.maximumIDLength)
            if let first = nodePaths[id] {
                throw idField.error(expected: "a node id not used before",
                                    found: "\(PayloadValue.quoted(id)), already the id of \(first)")
            }
            nodePaths[id] = element.path
            let label = try element.member("label")?.string() ?? id
            let kind = try element.member("kind")?.choice(NodeKind.allCases.map(\.rawValue)) ?? "box"
            let tone = try element.member("tone")?.choice(NodeTone.allCases.map(\.rawValue)) ?? "neutral"
            var group: String?
            if let groupField = try element.member("group") {
                let name = try groupField.string()
                guard groupPaths[name] != nil else {
                    throw groupField.error(expected: "the id of a group in graph.groups",
                                           found: "\(PayloadValue.quoted(name)), which no group has")
                }
                group = name
            }
            nodes.append(DiagramNode(id: id, label: try Self.checkedLabel(label, at: element, key: "label"),
                                     kind: NodeKind(rawValue: kind) ?? .box, group: group,
                                     tone: NodeTone(rawValue: tone) ?? .neutral))
        }
        var edges: [DiagramEdge] = []
        for element in try field.member("edges")?.elements() ?? [] {
            var ends: [String] = []
            for key in ["from", "to"] {
                let end = try element.required(key, expected: "a node id (string)")
                let id = try end.string()
                guard nodePaths[id] != nil else {
                    throw end.error(expected: "the id of a node in graph.nodes",
                                    found: "\(PayloadValue.quoted(id)), which no node has")
                }
                ends.append(id)
            }
            let label = try element.member("label")?.string()
            let style = try element.member("style")?.choice(EdgeStyle.allCases.map(\.rawValue)) ?? "solid"
            edges.append(DiagramEdge(from: ends[0], to: ends[1],
                                     label: try label.map { label throws(PluginError) in
                                         try Self.checkedLabel(label, at: element, key: "label") },
                                     style: EdgeStyle(rawValue: style) ?? .solid))
        }
        self.init(direction: Direction(rawValue: direction) ?? .topDown, title: title,
                  nodes: nodes, edges: edges, groups: groups)
        try checkLimits(at: field.path)
    }

    /// Throws when the graph is larger than one call may draw.
    func checkLimits(at path: String) throws(PluginError) {
        let counts = [("nodes", nodes.count, Self.maximumNodes), ("edges", edges.count, Self.maximumEdges),
                      ("groups", groups.count, Self.maximumGroups)]
        for (name, count, limit) in counts where count > limit {
            throw .invalidArgument("\(path).\(name): expected at most \(limit), found \(count)")
        }
    }

    /// `label` if it is short enough to draw.
    private static func checkedLabel(_ label: String, at element: PayloadField, key: String) throws(PluginError) -> String {
        guard label.count <= maximumLabelLength else {
            throw PayloadField(.init(.string(label), mark: element.value.mark), path: "\(element.path).\(key)")
                .error(expected: "at most \(maximumLabelLength) characters", found: "\(label.count) characters")
        }
        return label
    }
}
