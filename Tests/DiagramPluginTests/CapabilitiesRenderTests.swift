import CapHostCore
import CapHostTestSupport
import Foundation
import Testing

/// `render_capabilities`: the host's live slots, read through the `describe_capabilities`
/// host service (ABI 1.2) from inside the plugin, with two C providers competing for a slot.
@Suite(.serialized) struct CapabilitiesRenderTests {
    static func withCompetingProviders(_ body: (DiagramHost) async throws -> Void) async throws {
        try await DiagramHost.with(prepare: { test in
            try await test.load("noop.c", as: "low.so", defines: providerDefines(name: "low", provider: "low", priority: 10))
            try await test.load("noop.c", as: "high.so", defines: providerDefines(name: "high", provider: "high", priority: 20))
        }, body)
    }

    @Test func liveSlotsCandidatesAndTheActiveBinding() async throws {
        try await Self.withCompetingProviders { host in
            let response = try await host.render("mermaid", "render_capabilities", payload: [:])
            // adapter:bench (slot node + low + high) and adapter:diagram (slot node + 3 formats).
            #expect(response.nodes == 7)
            #expect(response.edges == 5)
            let text = response.content
            #expect(text.contains("flowchart LR"))
            #expect(text.contains("subgraph g0 [\"adapter:bench\"]") && text.contains("subgraph g1 [\"adapter:diagram\"]"))
            #expect(text.contains("adapter:bench:high won on priority 20 #gt; 10"), "\(text)")
            #expect(text.contains("==>|\"active\"|") && text.contains("-->|\"standby\"|"))
            #expect(text.contains("\"high<br/>high 1.0.0 · priority 20 · stack 0<br/>score"))
            #expect(text.contains("lost on priority 10 #lt; 20 to"))
            let high = try #require(text.split(separator: "\n").first { $0.contains("\"high<br/>") })
            let highID = String(high.trimmingCharacters(in: .whitespaces).prefix { $0 != "[" })
            #expect(text.contains("class ") && text.split(separator: "\n").contains { $0.contains("class") && $0.contains(highID) && $0.hasSuffix(" success") })

            // The document is live: a pin shows at once.
            await host.test.host.pin(SlotKey(domain: "adapter", category: "bench"), to: "low")
            let pinned = try await host.render("mermaid", "render_capabilities", payload: ["domain": "adapter", "category": "bench"])
            #expect(pinned.nodes == 3)
            let lowLine = try #require(pinned.content.split(separator: "\n").first { $0.contains("\"low<br/>") })
            #expect(lowLine.contains("<br/>active<br/>"), "\(lowLine)")
            try await MermaidParser.expectParses([("capabilities", text), ("pinned", pinned.content)])

            for format in ["excalidraw", "svg"] {
                let drawn = try await host.render(format, "render_capabilities", payload: ["direction": "TD"])
                #expect(drawn.nodes == 7)
                if format == "excalidraw" {
                    let problems = try ExcalidrawStructure(drawn.content).problems()
                    #expect(problems.isEmpty, "\(problems)")
                } else {
                    #expect(DiagramTools.unsafeParts(of: drawn.content).isEmpty)
                    // For the closing note: the live slots as the dashboard would show them.
                    let folder = FixturePlugins.repositoryRoot + "/.build/artifacts/diagrams"
                    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
                    try drawn.content.write(toFile: "\(folder)/capabilities.svg", atomically: true, encoding: .utf8)
                    _ = try await DiagramTools.svgToPNG([("\(folder)/capabilities.svg", "\(folder)/capabilities-svg.png")])
                }
            }
            let missing = try await host.failure("svg", "render_capabilities", payload: ["category": "nothing"])
            #expect(missing.code == .notFound)
            #expect(missing.message.contains("no slot matches *:nothing; the host has adapter:bench, adapter:diagram"), "\(missing.message)")
        }
    }
}
