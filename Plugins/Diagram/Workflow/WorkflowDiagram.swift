import PluginKit

/// Turns a seed-001 workflow into a graph: its adapter requirements (a group of database
/// nodes), an `input` node, one node per step, dotted order edges between consecutive steps,
/// and a data-flow edge for every `${steps.NAME…}` / `${input.X}` in a step's params,
/// labelled with the referenced field.
enum WorkflowDiagram {
    /// Validates `field` (the workflow mapping) and builds its graph.
    static func graph(_ field: PayloadField, title: String?, direction: DiagramGraph.Direction,
                      run: WorkflowRunOverlay? = nil) throws(PluginError) -> DiagramGraph {
        let name = try field.required("name", expected: "the workflow's name (string)").nonEmptyString(limit: 200)
        var graph = DiagramGraph(direction: direction, title: title ?? "workflow: \(name)")

        // Requirements.
        var requirements: [(id: String, domain: String, category: String, provider: String?)] = []
        for element in try field.member("adapter_requirements")?.elements() ?? [] {
            let domain = try element.required("domain", expected: "a domain (string)").nonEmptyString(limit: 100)
            let category = try element.required("category", expected: "a category (string)").nonEmptyString(limit: 100)
            let provider = try element.member("provider")?.nonEmptyString(limit: 100)
            let id = "requirement:\(requirements.count)"
            requirements.append((id, domain, category, provider))
            graph.nodes.append(DiagramNode(id: id, label: "\(domain):\(category)\n" + (provider.map { "provider \($0)" } ?? "any provider"),
                                           kind: .database, group: "requirements", tone: .accent))
        }
        if !requirements.isEmpty { graph.groups.append(DiagramGroup(id: "requirements", label: "adapter requirements")) }

        // Steps, checked before any reference to them is read.
        let stepFields = try field.required("steps", expected: "an array of steps").elements()
        guard !stepFields.isEmpty else {
            throw try field.required("steps", expected: "").error(expected: "at least one step", found: "an empty array")
        }
        var stepNames: [String] = []
        var seen: [String: String] = [:]
        for step in stepFields {
            let nameField = try step.required("name", expected: "the step's name (string)")
            let stepName = try nameField.nonEmptyString(limit: 200)
            if let first = seen[stepName] {
                throw nameField.error(expected: "a step name not used before", found: "\(PayloadValue.quoted(stepName)), already the name of \(first)")
            }
            seen[stepName] = step.path
            stepNames.append(stepName)
        }
        var inputEdges: [String: [String]] = [:]
        var dataEdges: [String: [String]] = [:]
        var edgeOrder: [String] = []
        for (index, step) in stepFields.enumerated() {
            let tool = try step.required("tool", expected: "the tool the step calls (string)").nonEmptyString(limit: 200)
            var details: [String] = []
            if let timeout = try step.member("timeout") { details.append("timeout \(describe(timeout.value))") }
            if case .bool(true)? = try step.member("durable")?.value.kind { details.append("durable") }
            if let onError = try step.member("on_error") { details.append("on_error \(describe(onError.value))") }
            let slot = capabilitySlot(of: tool)
            let capability = slot != nil
            let outcome = run?.line(of: stepNames[index]).map { [$0] } ?? []
            graph.nodes.append(DiagramNode(id: "step:\(stepNames[index])",
                                           label: ([stepNames[index], tool] + (details.isEmpty ? [] : [details.joined(separator: " · ")]) + outcome)
                                               .joined(separator: "\n"),
                                           kind: .round, tone: run?.tone(of: stepNames[index]) ?? (capability ? .success : .neutral)))
            // Requirements the tool's slot meets.
            if let slot {
                for requirement in requirements where requirement.domain == slot.domain && requirement.category == slot.category {
                    graph.edges.append(DiagramEdge(from: requirement.id, to: "step:\(stepNames[index])", label: "resolves", style: .dotted))
                }
            }
            // Data flow from the params' references.
            let earlier = Set(stepNames[..<index])
            for (text, at) in try strings(in: step.member("params")) {
                for reference in try WorkflowReference.all(in: text, stepNames: Set(stepNames), at: at) {
                    switch reference {
                    case .input(let input):
                        let key = "input\u{1}step:\(stepNames[index])"
                        if inputEdges[key] == nil { edgeOrder.append(key) }
                        inputEdges[key, default: []].append(input)
                    case .step(let source, let fieldPath):
                        guard earlier.contains(source) else {
                            throw at.error(expected: "a reference to a step before \(PayloadValue.quoted(stepNames[index]))",
                                           found: "${steps.\(source)…}, " + (source == stepNames[index] ? "the step itself" : "a later step"))
                        }
                        let key = "step:\(source)\u{1}step:\(stepNames[index])"
                        if dataEdges[key] == nil { edgeOrder.append(key) }
                        dataEdges[key, default: []].append(fieldPath.isEmpty ? "result" : fieldPath)
                    }
                }
            }
        }
        if !inputEdges.isEmpty {
            graph.nodes.insert(DiagramNode(id: "input", label: "input", kind: .stadium, tone: .warning), at: 0)
        }
        for (index, stepName) in stepNames.enumerated().dropFirst() {
            let key = "step:\(stepNames[index - 1])\u{1}step:\(stepName)"
            if dataEdges[key] == nil {
                graph.edges.append(DiagramEdge(from: "step:\(stepNames[index - 1])", to: "step:\(stepName)", label: nil, style: .dotted))
            }
        }
        for key in edgeOrder {
            let ends = key.split(separator: "\u{1}").map(String.init)
            let labels = inputEdges[key] ?? dataEdges[key] ?? []
            graph.edges.append(DiagramEdge(from: ends[0], to: ends[1], label: joined(labels), style: .solid))
        }
        try graph.checkLimits(at: field.path)
        return graph
    }

    /// Every string in `field` (params may nest objects and arrays), with its path, in key order.
    private static func strings(in field: PayloadField?) throws(PluginError) -> [(String, PayloadField)] {
        guard let field else { return [] }
        switch field.value.kind {
        case .string(let text): return [(text, field)]
        case .array:
            var found: [(String, PayloadField)] = []
            for element in try field.elements() { found += try strings(in: element) }
            return found
        case .object(let members):
            var found: [(String, PayloadField)] = []
            for key in members.keys.sorted() { found += try strings(in: try field.member(key)) }
            return found
        default: return []
        }
    }

    /// Distinct labels in first-seen order, at most three shown.
    private static func joined(_ labels: [String]) -> String {
        var distinct: [String] = []
        for label in labels where !distinct.contains(label) { distinct.append(label) }
        return distinct.count > 3 ? distinct.prefix(3).joined(separator: "\n") + "\n+\(distinct.count - 3) more"
            : distinct.joined(separator: "\n")
    }

    /// The slot a step's tool calls: `DOMAIN:CATEGORY/METHOD`, `DOMAIN:CATEGORY:PROVIDER/METHOD`,
    /// `DOMAIN:CATEGORY:METHOD` or the MCP name `DOMAIN__CATEGORY__METHOD`; nil for a host tool
    /// or a bare method name.
    static func capabilitySlot(of tool: String) -> (domain: String, category: String)? {
        let head = tool.firstIndex(of: "/").map { tool[..<$0] } ?? tool[...]
        let colonParts = head.split(separator: ":", omittingEmptySubsequences: false)
        if colonParts.count >= 2 {
            let needed = tool.contains("/") ? 2...3 : 3...3
            guard needed.contains(colonParts.count), colonParts.allSatisfy({ !$0.isEmpty }) else { return nil }
            return (String(colonParts[0]), String(colonParts[1]))
        }
        let parts = tool.components(separatedBy: "__")
        guard parts.count == 3, parts.allSatisfy({ !$0.isEmpty }) else { return nil }
        return (parts[0], parts[1])
    }

    private static func describe(_ value: PayloadValue) -> String {
        switch value.kind {
        case .string(let text): text
        case .number(let number): PayloadValue.numberText(number)
        case .bool(let flag): "\(flag)"
        default: value.foundDescription
        }
    }
}
