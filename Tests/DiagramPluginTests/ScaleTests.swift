import CapHostCore
import CapHostTestSupport
import Foundation
import Testing

/// A 1000-node graph renders in every format well inside the host's call timeout.
@Suite(.serialized) struct ScaleTests {
    @Test func aThousandNodesRenderInEveryFormat() async throws {
        try await DiagramHost.with { host in
            let payload = GraphSamples.large(count: 1_000)
            for format in ["mermaid", "excalidraw", "svg"] {
                let clock = ContinuousClock()
                let started = clock.now
                let response = try await host.render(format, payload: payload)
                print("diagram scale: \(format) 1000 nodes, \(response.edges) edges in \(clock.now - started), \(response.content.utf8.count) bytes")
                #expect(response.nodes == 1_000)
                if format == "mermaid" {
                    // Over Mermaid's default maxTextSize (50,000 characters): viewers with the
                    // default configuration refuse it, and the checker must say so.
                    #expect(response.content.utf8.count > 50_000)
                    let errors = try await MermaidParser.errors([("thousand", response.content)])
                    #expect(errors["thousand"]?.contains("Maximum text size") == true, "\(errors)")
                }
            }
        }
    }
}
