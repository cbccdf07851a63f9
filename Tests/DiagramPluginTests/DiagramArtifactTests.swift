import CapHostCore
import CapHostTestSupport
import Foundation
import Testing

/// One realistic diagram (the seed's backup workflow) in every format, rendered by the real
/// renderers to `.build/artifacts/diagrams/{mermaid,excalidraw,svg}.png` for the closing note,
/// plus the 64-node graph (SVG) and the hostile-label graph (Excalidraw).
@Suite(.serialized) struct DiagramArtifactTests {
    @Test func workflowRenderedToPNGInEveryFormat() async throws {
        let folder = FixturePlugins.repositoryRoot + "/.build/artifacts/diagrams"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try await DiagramHost.with { host in
            let payload: [String: Any] = ["yaml": GraphSamples.backupWorkflowYAML]
            let mermaid = try await host.render("mermaid", "render_workflow", payload: payload)
            let excalidraw = try await host.render("excalidraw", "render_workflow", payload: payload)
            let svg = try await host.render("svg", "render_workflow", payload: payload)
            for (name, response) in [("mermaid.mmd", mermaid), ("workflow.excalidraw", excalidraw), ("svg.svg", svg)] {
                try response.content.write(toFile: "\(folder)/\(name)", atomically: true, encoding: .utf8)
            }
            for name in ["mermaid.png", "excalidraw.png", "svg.png"] { try? FileManager.default.removeItem(atPath: "\(folder)/\(name)") }
            try await MermaidParser.expectParses([("workflow", mermaid.content)], png: ["workflow": "\(folder)/mermaid.png"])
            try await DiagramTools.excalidrawToPNG("\(folder)/workflow.excalidraw", "\(folder)/excalidraw.png")
            _ = try await DiagramTools.svgToPNG([("\(folder)/svg.svg", "\(folder)/svg.png")])
            // The 64-node graph and the hostile one, for a look at the layout and the escaping.
            let large = try await host.render("svg", payload: GraphSamples.large(count: 64))
            let hostile = try await host.render("excalidraw", payload: GraphSamples.hostile())
            try large.content.write(toFile: "\(folder)/large-64.svg", atomically: true, encoding: .utf8)
            try hostile.content.write(toFile: "\(folder)/hostile.excalidraw", atomically: true, encoding: .utf8)
            _ = try await DiagramTools.svgToPNG([("\(folder)/large-64.svg", "\(folder)/large-64-svg.png")])
            try await DiagramTools.excalidrawToPNG("\(folder)/hostile.excalidraw", "\(folder)/hostile-excalidraw.png")
            for name in ["mermaid.png", "excalidraw.png", "svg.png", "large-64-svg.png", "hostile-excalidraw.png"] {
                let size = try DiagramTools.pngSize("\(folder)/\(name)")
                #expect(size.width > 300 && size.height > 300, "\(name): \(size)")
            }
        }
    }
}
