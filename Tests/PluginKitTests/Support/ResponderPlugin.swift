import PluginKit

/// The second test plugin type: answers nested calls (`reverse` returns the payload reversed).
final class ResponderPlugin: CapabilityPlugin {
    static let manifest = PluginManifest(
        name: "responder", version: "0.1.0", vendor: "PluginKit tests",
        flags: [.threadSafe],
        capabilities: [
            Capability(domain: "adapter", category: "responder", provider: "kit", priority: 1,
                       methods: [CapabilityMethod(name: "reverse", description: "Returns the payload reversed"),
                                 CapabilityMethod(name: "refuse", description: "Always fails with CAP_PERMISSION"),
                                 CapabilityMethod(name: "slow-reverse", description: "Sleeps 2 ms, then reverses")]),
        ])

    init(context: PluginContext) throws {}

    func invoke(_ request: PluginRequest) async throws -> PluginResponse {
        switch request.method {
        case "reverse": return .bytes(request.payload.reversed())
        case "refuse": throw PluginError.permission("responder refuses")
        case "slow-reverse":
            try await Task.sleep(for: .milliseconds(2))
            return .bytes(request.payload.reversed())
        default: throw PluginError.unimplemented(request)
        }
    }
}
