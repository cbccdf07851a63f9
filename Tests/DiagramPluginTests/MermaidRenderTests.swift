import CapHostCore
import CapHostTestSupport
import Foundation
import Testing

/// `render` through a real host, Mermaid output checked by the real Mermaid parser.
@Suite(.serialized) struct MermaidRenderTests {
    @Test func hostileLabelsAndIDsParseInMermaid() async throws {
        try await DiagramHost.with { host in
            var diagrams: [(name: String, text: String)] = []
            for direction in ["TD", "LR"] {
                let response = try await host.render("mermaid", payload: GraphSamples.hostile(direction: direction))
                #expect(response.format == "mermaid")
                #expect(response.mediaType == "text/vnd.mermaid")
                #expect(response.nodes == GraphSamples.hostileLabels.count)
                #expect(response.content.hasPrefix("---\ntitle: "))
                #expect(response.content.contains("flowchart \(direction)\n"))
                diagrams.append(("hostile-\(direction)", response.content))
            }
            let text = diagrams[0].text
            // Caller ids never reach the text: `end` is a generated `n0`, labels are entity-coded.
            #expect(!text.contains("<script>"))
            #expect(text.contains("#lt;script#gt;"))
            #expect(text.contains("n0{") || text.contains("n0[\""))
            #expect(text.contains("subgraph g0 [\"group called end\"]"))
            #expect(text.contains("first line<br/>second line<br/>third"))
            #expect(text.contains("🚀🔥") && text.contains("中文标签"))
            for line in text.split(separator: "\n").dropFirst(4) where !line.contains("\"") {
                // Outside labels only generated ids, keywords and arrows appear.
                #expect(!line.contains("end") || line.trimmingCharacters(in: .whitespaces) == "end", "\(line)")
            }
            try await MermaidParser.expectParses(diagrams)
        }
    }

    /// The checker is live: what Mermaid rejects (an id named `end`, an unquoted `<`-label
    /// edge) fails with Mermaid's own message, so a passing check means a real parse.
    @Test func theParserRejectsWhatMermaidRejects() async throws {
        let errors = try await MermaidParser.errors([
            ("endID", "flowchart TD\n    end --> b\n"),
            ("fine", "flowchart TD\n    n0[\"end\"] --> n1\n"),
        ])
        #expect(errors["endID"]?.contains("Parse error on line 2") == true, "\(errors)")
        #expect(errors["fine"] == nil, "\(errors)")
    }

    @Test func everyShapeAndEdgeStyleAndALargeGraphParse() async throws {
        try await DiagramHost.with { host in
            var diagrams: [(name: String, text: String)] = []
            let kinds = ["box", "round", "stadium", "database", "circle", "decision"]
            let nodes = kinds.map { ["id": $0, "label": "a \($0)", "kind": $0] }
            let edges = zip(kinds, kinds.dropFirst()).enumerated().map { index, pair in
                ["from": pair.0, "to": pair.1, "style": ["solid", "dotted", "thick"][index % 3], "label": index % 2 == 0 ? "" : "edge \(index)"]
            }
            let shapes = try await host.render("mermaid", payload: ["graph": ["nodes": nodes, "edges": edges]])
            #expect(shapes.content.contains("n0[\"a box\"]"))
            #expect(shapes.content.contains("n1(\"a round\")"))
            #expect(shapes.content.contains("n2([\"a stadium\"])"))
            #expect(shapes.content.contains("n3[(\"a database\")]"))
            #expect(shapes.content.contains("n4((\"a circle\"))"))
            #expect(shapes.content.contains("n5{\"a decision\"}"))
            #expect(shapes.content.contains("n0 --> n1") && shapes.content.contains("n1 -.->|\"edge 1\"| n2")
                    && shapes.content.contains("n2 ==> n3"))
            diagrams.append(("shapes", shapes.content))
            let large = try await host.render("mermaid", payload: GraphSamples.large(count: 64))
            #expect(large.nodes == 64)
            diagrams.append(("large", large.content))
            let empty = try await host.render("mermaid", payload: ["graph": ["nodes": [["id": "only", "label": ""]]]])
            diagrams.append(("emptyLabel", empty.content))
            // No nodes at all is a valid (empty) diagram in every format.
            for format in ["mermaid", "excalidraw", "svg"] {
                let nothing = try await host.render(format, payload: ["graph": ["nodes": []]])
                #expect(nothing.nodes == 0 && nothing.edges == 0)
                if format == "mermaid" { diagrams.append(("nothing", nothing.content)) }
            }
            try await MermaidParser.expectParses(diagrams)
        }
    }

    @Test func badGraphsAreInvalidArgumentsNamingThePath() async throws {
        try await DiagramHost.with { host in
            let cases: [(payload: [String: Any], message: String)] = [
                (["graph": ["nodes": [["id": "a"]], "edges": [["from": "a", "to": "b"]]]],
                 #"graph.edges[0].to: expected the id of a node in graph.nodes, found "b", which no node has"#),
                (["graph": ["nodes": [["id": "a"], ["id": "a"]]]],
                 #"graph.nodes[1].id: expected a node id not used before, found "a", already the id of graph.nodes[0]"#),
                (["graph": ["nodes": [["id": "a", "kind": "hexagon"]]]],
                 #"graph.nodes[0].kind: expected one of "box", "round", "stadium", "database", "circle", "decision", found a string ("hexagon")"#),
                (["graph": ["nodes": [["id": 7]]]], "graph.nodes[0].id: expected a string, found a number (7)"),
                (["graph": ["nodes": [["id": "a", "group": "nowhere"]]]],
                 #"graph.nodes[0].group: expected the id of a group in graph.groups, found "nowhere", which no group has"#),
                (["graph": ["direction": "BT", "nodes": []]], #"graph.direction: expected one of "TD", "LR", found a string ("BT")"#),
                (["graph": ["edges": []]], "graph.nodes: expected an array of nodes, found nothing (the field is missing)"),
                (["nodes": []], "graph: expected a graph object, found nothing (the field is missing)"),
                (["graph": ["nodes": [["id": "a"]], "edges": [["from": "a", "to": "a", "style": "wavy"]]]],
                 #"graph.edges[0].style: expected one of "solid", "dotted", "thick", found a string ("wavy")"#),
            ]
            for (payload, message) in cases {
                let error = try await host.failure("svg", payload: payload)
                #expect(error.code == .invalidArgument)
                #expect(error.message.contains(message), "\(error.message)")
            }
            do {
                let accepted = try await host.test.host.invoker.invoke(
                    .provider(CapabilityID(domain: "adapter", category: "diagram", provider: "mermaid")),
                    method: "render", payload: Array("{nope".utf8))
                Issue.record("accepted invalid JSON: \(accepted.body.text)")
            } catch let error as InvocationError {
                #expect(error.code == .invalidArgument)
                #expect(error.message.contains("render: the payload is not valid JSON"), "\(error.message)")
            }
        }
    }
}
