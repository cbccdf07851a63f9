import CapHostCore
import CapHostTestSupport
import Foundation
import Testing

/// `render` in the two formats the plugin lays out itself: structure, safety, real renderers,
/// determinism and layout sanity.
@Suite(.serialized) struct ExcalidrawAndSVGTests {
    static var payloads: [(name: String, payload: [String: Any])] {
        [
        ("hostile-TD", GraphSamples.hostile(direction: "TD")), ("hostile-LR", GraphSamples.hostile(direction: "LR")),
        ("large-TD", GraphSamples.large(count: 64)), ("large-LR", GraphSamples.large(count: 64, direction: "LR")),
        ]
    }

    @Test func excalidrawBindsEverythingBothWaysAndRenders() async throws {
        try await DiagramHost.with { host in
            let scratch = try TemporaryFolder("diagram")
            defer { scratch.remove() }
            let folder = scratch.path
            for (name, payload) in Self.payloads {
                let response = try await host.render("excalidraw", payload: payload)
                #expect(response.mediaType == "application/vnd.excalidraw+json")
                let structure = try ExcalidrawStructure(response.content)
                #expect(structure.problems().isEmpty, "\(name): \(structure.problems().prefix(10))")
                let texts = structure.elements.filter { $0["type"] as? String == "text" && $0["containerId"] is String }
                let arrows = structure.elements.filter { $0["type"] as? String == "arrow" }
                #expect(arrows.count == response.edges, "\(name)")
                #expect(texts.count >= response.nodes, "\(name): every node has its bound label")
                let file = "\(folder)/\(name).excalidraw", png = "\(folder)/\(name).png"
                try response.content.write(toFile: file, atomically: true, encoding: .utf8)
                try await DiagramTools.excalidrawToPNG(file, png)
                let size = try DiagramTools.pngSize(png)
                #expect(size.width > 200 && size.height > 200, "\(name): \(size)")
            }
            // Hostile text survives as text: JSON escaping, not mangling.
            let hostile = try ExcalidrawStructure(try await host.render("excalidraw", payload: GraphSamples.hostile()).content)
            let labels = Set(hostile.elements.compactMap { $0["text"] as? String })
            #expect(labels.contains("<script>alert(1)</script>"))
            #expect(labels.contains("first line\nsecond line\nthird"))
            #expect(labels.contains(#"say "hi" and 'bye'"#))
        }
    }

    @Test func svgIsWellFormedStandaloneAndDraws() async throws {
        try await DiagramHost.with { host in
            let scratch = try TemporaryFolder("diagram")
            defer { scratch.remove() }
            let folder = scratch.path
            var pairs: [(svg: String, png: String)] = []
            for (name, payload) in Self.payloads {
                let response = try await host.render("svg", payload: payload)
                #expect(response.mediaType == "image/svg+xml")
                #expect(DiagramTools.unsafeParts(of: response.content).isEmpty, "\(name): \(DiagramTools.unsafeParts(of: response.content))")
                let file = "\(folder)/\(name).svg"
                try response.content.write(toFile: file, atomically: true, encoding: .utf8)
                let lint = try await DiagramTools.xmllint(file)
                #expect(lint.isEmpty, "\(name): \(lint)")
                pairs.append((file, "\(folder)/\(name).png"))
            }
            let sizes = try await DiagramTools.svgToPNG(pairs)
            #expect(sizes.count == pairs.count)
            for size in sizes { #expect(size.width > 200 && size.height > 200, "\(size)") }
            let hostile = try await host.render("svg", payload: GraphSamples.hostile()).content
            #expect(hostile.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
            #expect(hostile.contains(">second line</tspan>"))
            #expect(hostile.contains("中文标签") && hostile.contains("🚀🔥"))
        }
    }

    @Test func sameInputSameBytesInEveryFormat() async throws {
        var first: [String] = []
        for round in 0..<2 {
            try await DiagramHost.with { host in
                var outputs: [String] = []
                for format in ["mermaid", "excalidraw", "svg"] {
                    for (_, payload) in Self.payloads {
                        let once = try await host.render(format, payload: payload).content
                        let twice = try await host.render(format, payload: payload).content
                        #expect(once == twice, "\(format) differs between two calls")
                        outputs.append(once)
                    }
                }
                if round == 0 {
                    first = outputs
                    // Every Mermaid text a test produces goes through the real parser.
                    try await MermaidParser.expectParses(Self.payloads.indices.map { (Self.payloads[$0].name, outputs[$0]) })
                } else {
                    #expect(first == outputs, "output differs between two hosts")
                }
            }
        }
    }

    @Test func sixtyFourNodesAndTheirGroupsDoNotOverlapInEitherDirection() async throws {
        try await DiagramHost.with { host in
            for direction in ["TD", "LR"] {
                let response = try await host.render("excalidraw", payload: GraphSamples.large(count: 64, direction: direction))
                let frames = try ExcalidrawStructure(response.content).nodeFrames
                #expect(frames.count == 64)
                var overlaps: [String] = []
                for (index, a) in frames.enumerated() {
                    for b in frames[(index + 1)...]
                    where a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height {
                        overlaps.append("\(a.id) × \(b.id)")
                    }
                }
                #expect(overlaps.isEmpty, "\(direction): \(overlaps.prefix(10))")
                // Groups are kept together: their frames do not overlap each other.
                let groups = try ExcalidrawStructure(response.content).groupFrames
                #expect(groups.count == 4)
                for (index, a) in groups.enumerated() {
                    for b in groups[(index + 1)...] {
                        #expect(!(a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height),
                                "\(direction): \(a.id) overlaps \(b.id)")
                    }
                }
                // Layered: without cycles every edge goes down (TD) or right (LR).
                let acyclic = try await host.render("excalidraw", payload: GraphSamples.large(count: 64, direction: direction, cycles: false))
                let byID = Dictionary(uniqueKeysWithValues: try ExcalidrawStructure(acyclic.content).nodeFrames.map { ($0.id, $0) })
                for index in 1..<64 {
                    let parent = try #require(byID["node-\((index - 1) / 2)"]), child = try #require(byID["node-\(index)"])
                    if direction == "TD" { #expect(child.y > parent.y + parent.height) } else { #expect(child.x > parent.x + parent.width) }
                }
            }
        }
    }
}
