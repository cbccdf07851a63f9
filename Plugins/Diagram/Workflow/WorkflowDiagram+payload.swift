import PluginKit

extension WorkflowDiagram {
    /// The graph of a `render_workflow` payload: `{"workflow": {…}}` or `{"yaml": "…"}`, plus
    /// optional `title`, `direction`, for a file with a `workflows:` list, `name`, and a
    /// recorded `run` whose step outcomes tone and label the steps (`WorkflowRunOverlay`).
    static func graph(payload: PayloadField) throws(PluginError) -> DiagramGraph {
        let title = try payload.member("title")?.string()
        let direction = DiagramGraph.Direction(rawValue: try payload.member("direction")?.choice(["TD", "LR"]) ?? "TD") ?? .topDown
        let workflow = try payload.member("workflow"), yaml = try payload.member("yaml")
        var root: PayloadField
        switch (workflow, yaml) {
        case (let workflow?, nil):
            root = workflow
        case (nil, let yaml?):
            root = PayloadField(try WorkflowYAML.value(try yaml.string()), path: "yaml")
        case (.some, .some):
            throw .invalidArgument("payload: expected either \"workflow\" (JSON) or \"yaml\" (text), found both")
        case (nil, nil):
            throw .invalidArgument("payload: expected \"workflow\" (the workflow as JSON) or \"yaml\" (its YAML text), found neither")
        }
        if let list = try root.member("workflows") {
            let workflows = try list.elements()
            let wanted = try payload.member("name")?.string()
            var names: [String] = []
            var chosen: PayloadField?
            for candidate in workflows {
                let name = try candidate.member("name")?.string() ?? ""
                names.append(name)
                if wanted == nil ? workflows.count == 1 : name == wanted { chosen = candidate }
            }
            guard let chosen else {
                throw list.error(expected: wanted.map { "a workflow named \(PayloadValue.quoted($0))" }
                                     ?? "one workflow, or a \"name\" in the payload choosing one",
                                 found: "workflows " + names.map { PayloadValue.quoted($0) }.joined(separator: ", "))
            }
            root = chosen
        }
        let run = try payload.member("run").map { field throws(PluginError) in try WorkflowRunOverlay(field) }
        return try graph(root, title: title, direction: direction, run: run)
    }
}
