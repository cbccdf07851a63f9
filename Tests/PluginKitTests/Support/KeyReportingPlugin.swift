import PluginKit

/// A test plugin whose one method answers with the idempotency key the kit handed it.
final class KeyReportingPlugin: CapabilityPlugin {
    static let manifest = PluginManifest(
        name: "key-reporter", version: "1.1.0", vendor: "PluginKit tests",
        flags: [.threadSafe],
        capabilities: [
            Capability(domain: "adapter", category: "keys", provider: "kit",
                       methods: [CapabilityMethod(name: "key", description: "Returns the call's idempotency key")]),
        ])

    private let context: PluginContext

    init(context: PluginContext) throws { self.context = context }

    func invoke(_ request: PluginRequest) async throws -> PluginResponse {
        try .json(["key": request.idempotencyKey ?? "<none>", "offered": context.offers(.idempotencyKey) ? "yes" : "no"])
    }
}
