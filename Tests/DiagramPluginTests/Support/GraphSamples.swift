import Foundation

/// Graphs the tests draw: hostile labels and ids, every shape and style, and a large one.
enum GraphSamples {
    /// Labels that break naive writers of Mermaid, XML or JSON.
    static let hostileLabels = [
        #"say "hi" and 'bye'"#, "<script>alert(1)</script>", "# not a comment", "a; b; c", "pipe | bar || x",
        "end", "subgraph", "emoji 🚀🔥 and 👩‍💻", "中文标签 日本語 한국어", "first line\nsecond line\r\nthird",
        #"back\slash \\ and \n literal"#, "&amp; & &lt; entity", "%% not a comment", "brackets [x] (y) {z}",
        "`code` and *stars* _under_", "-->|fake| edge ==> x", "click n0 callback", "style n0 fill:#f00",
        "tab\there", "]]> <!-- xml -->",
    ]

    /// Every shape with a hostile label; ids that are Mermaid keywords; every edge style.
    static func hostile(direction: String = "TD") -> [String: Any] {
        let kinds = ["box", "round", "stadium", "database", "circle", "decision"]
        let ids = ["end", "subgraph", "graph", "class", "style", "click", "a-->b", "x y", "default", "flowchart",
                   "id\"quote", "<id>", "#id", "n0", "n1", "é", "🚀", "中", "end2", "linkStyle"]
        var nodes: [[String: Any]] = []
        for (index, label) in hostileLabels.enumerated() {
            var node: [String: Any] = ["id": ids[index], "label": label, "kind": kinds[index % kinds.count]]
            if index % 3 == 0 { node["group"] = index % 2 == 0 ? "end" : "g <&> \"2\"" }
            if index % 4 == 1 { node["tone"] = ["success", "warning", "danger", "muted", "accent"][index % 5] }
            nodes.append(node)
        }
        var edges: [[String: Any]] = []
        let styles = ["solid", "dotted", "thick"]
        for index in 0..<(ids.count - 1) {
            var edge: [String: Any] = ["from": ids[index], "to": ids[index + 1], "style": styles[index % 3]]
            if index % 2 == 0 { edge["label"] = hostileLabels[(index * 7) % hostileLabels.count] }
            edges.append(edge)
        }
        edges.append(["from": "end", "to": "end", "label": "self <loop>"])
        edges.append(["from": "linkStyle", "to": "end", "label": "back \"edge\"", "style": "dotted"])
        edges.append(["from": "end", "to": "linkStyle", "label": "skip"])
        return [
            "title": "Hostile <title> & \"quotes\" #1\nsecond line",
            "graph": [
                "direction": direction, "nodes": nodes, "edges": edges,
                "groups": [["id": "end", "label": "group called end"], ["id": "g <&> \"2\"", "label": "<b>bold?</b> & #2"]],
            ] as [String: Any],
        ]
    }

    /// A graph of `count` nodes in four groups, with fan-out, fan-in and long edges.
    /// `cycles` adds thick edges back up the tree.
    static func large(count: Int = 64, direction: String = "TD", cycles: Bool = true) -> [String: Any] {
        var nodes: [[String: Any]] = []
        var edges: [[String: Any]] = []
        let kinds = ["box", "round", "stadium", "database", "circle", "decision"]
        for index in 0..<count {
            var node: [String: Any] = ["id": "node-\(index)", "label": "Service \(index)\nport \(8000 + index)",
                                       "kind": kinds[(index * 5) % kinds.count]]
            // Four zones, one per subtree under the first two levels (nodes 3…6), as a real
            // system groups services; the dotted and thick edges cross zones.
            var ancestor = index
            while ancestor > 6 { ancestor = (ancestor - 1) / 2 }
            if ancestor >= 3 { node["group"] = "zone-\(ancestor - 3)" }
            nodes.append(node)
            if index > 0 { edges.append(["from": "node-\((index - 1) / 2)", "to": "node-\(index)"]) }
            if index > 8 && index % 3 == 0 {
                edges.append(["from": "node-\(index / 3)", "to": "node-\(index)", "label": "calls", "style": "dotted"])
            }
            if cycles && index > 20 && index % 7 == 0 { edges.append(["from": "node-\(index)", "to": "node-\(index / 7)", "style": "thick"]) }
        }
        let groups = (0..<4).map { ["id": "zone-\($0)", "label": "Zone \($0)"] }
        return ["title": "\(count) services", "graph": ["direction": direction, "nodes": nodes, "edges": edges,
                                                           "groups": groups] as [String: Any]]
    }

    /// The seed's example workflow 1, with requirements added, as YAML.
    static let backupWorkflowYAML = """
        name: "backup-with-dynamic-storage"
        description: "Backup repositories with dynamically selected storage"
        adapter_requirements:
          - domain: "adapter"
            category: "storage"
            provider: "s3"
          - domain: "adapter"
            category: "notifier"
        steps:
          - name: "find-storage"
            tool: "oneiric_list_adapters"
            params:
              domain: "adapter"
              category: "storage"
              healthy_only: true
          - name: "select-s3"
            tool: "oneiric_get_adapter"
            params:
              adapter_id: "${steps.find-storage.results[?provider=='s3'].adapter_id}"
          - name: "verify-health"
            tool: "oneiric_check_health"
            timeout: 10
            params:
              adapter_id: "${steps.select-s3.adapter_id}"
          - name: "backup-repos"
            tool: "coord_backup_repositories"
            durable: true
            params:
              storage_adapter: "${steps.select-s3}"
              repos: "${input.repos}"
          - name: "notify"
            tool: "adapter:notifier:send"
            on_error: "continue"
            params:
              to: "${input.owner}"
              subject: "Backup of ${steps.backup-repos.count} repositories done"
              storage: "${steps.find-storage.results[0].adapter_id}"
        """
}
