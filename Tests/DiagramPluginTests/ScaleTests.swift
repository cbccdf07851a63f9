import CapHostCore
import CapHostTestSupport
import Foundation
import Testing

/// The largest graphs the limits allow still render inside the host's call timeout.
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
            }
        }
    }
}
