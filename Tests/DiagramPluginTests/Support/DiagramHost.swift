import CapHostCore
import CapHostTestSupport
import Foundation
import Testing

/// A real host (TestHost) with the built `libDiagramPlugin.so` loaded, called through the
/// host's invoker exactly as any client's call would be.
final class DiagramHost: Sendable {
    let test: TestHost

    /// Installs the plugin in `test` (plus whatever `prepare` installs) and loads it.
    private init(test: TestHost, prepare: (TestHost) async throws -> Void) async throws {
        let built = try FixturePlugins.builtPlugin("DiagramPlugin")
        self.test = test
        let file = try FixturePlugins.install(built, into: test.pluginsDirectory, as: "diagram.so")
        try await prepare(test)
        let report = await test.host.load(file: file)
        guard report.state == .loaded else {
            throw FixtureError("the diagram plugin did not load: \(report.error?.description ?? "\(report.state)")")
        }
    }

    /// Calls `adapter:diagram:<format>`'s `method` and decodes the diagram response.
    func render(_ format: String, _ method: String = "render", payload: [String: Any]) async throws -> DiagramResponse {
        let body = try JSONSerialization.data(withJSONObject: payload, options: [.sortedKeys])
        let response = try await test.host.invoker.invoke(
            .provider(CapabilityID(domain: "adapter", category: "diagram", provider: format)),
            method: method, payload: Array(body))
        return try JSONDecoder().decode(DiagramResponse.self, from: Data(response.body))
    }

    /// Calls and expects a failure; returns the host's error.
    func failure(_ format: String, _ method: String = "render", payload: [String: Any]) async throws -> InvocationError {
        let body = try JSONSerialization.data(withJSONObject: payload, options: [.sortedKeys])
        do {
            let response = try await test.host.invoker.invoke(
                .provider(CapabilityID(domain: "adapter", category: "diagram", provider: format)),
                method: method, payload: Array(body))
            throw FixtureError("expected an error, got \(String(decoding: response.body, as: UTF8.self).prefix(300))")
        } catch let error as InvocationError {
            return error
        }
    }

    /// Runs `body` with a fresh host (`TestHost.with`: stopped afterwards, also when `body` throws).
    static func with(prepare: (TestHost) async throws -> Void = { _ in },
                     _ body: (DiagramHost) async throws -> Void) async throws {
        try await TestHost.with { test in
            try await body(try await DiagramHost(test: test, prepare: prepare))
        }
    }
}

/// The plugin's response: `{"format", "mediaType", "content", "nodes", "edges"}`.
struct DiagramResponse: Decodable, Sendable {
    let format: String
    let mediaType: String
    let content: String
    let nodes: Int
    let edges: Int
}
