import PluginKit

/// The Swift example plugin: capability `adapter:echo:swift`, which echoes payloads back
/// (`echo`) or upper-cases a JSON text field (`upper`).
///
/// Stateless and safe to call concurrently, so it declares ``PluginFlags/threadSafe``.
public final class EchoPlugin: CapabilityPlugin {
    /// The descriptor the host reads: one capability with two methods.
    public static let manifest = PluginManifest(
        name: "echo-swift", version: "1.0.0", vendor: "caphost examples",
        flags: [.threadSafe, .parallelCreate],
        capabilities: [
            Capability(
                domain: "adapter", category: "echo", provider: "swift", priority: 5, stackLevel: 0,
                description: "Echoes payloads back",
                methods: [
                    CapabilityMethod(name: "echo", description: "Returns the payload unchanged",
                                     inputSchema: #"{"type":"object"}"#),
                    CapabilityMethod(name: "upper", description: "Returns {\"text\": ...} with the text upper-cased",
                                     inputSchema: #"{"type":"object","properties":{"text":{"type":"string"}},"required":["text"]}"#),
                ]),
        ])

    /// The payload and response of `upper`.
    struct Text: Codable, Sendable {
        var text: String
    }

    private let context: PluginContext

    /// Keeps the context (for host services) and says hello through the host's log.
    public init(context: PluginContext) throws {
        self.context = context
        context.log(.info, "echo-swift 1.0.0 ready")
    }

    /// `echo` returns the payload bytes untouched (no decoding on the hot path); `upper`
    /// decodes `{"text": ...}` and returns it upper-cased.
    public func invoke(_ request: PluginRequest) async throws -> PluginResponse {
        switch request.method {
        case "echo":
            return .bytes(request.payload)
        case "upper":
            let input = try request.decode(Text.self)
            return try .json(Text(text: input.text.uppercased()))
        default:
            throw PluginError.unimplemented(request)
        }
    }

    /// Always healthy: the plugin holds no connections.
    public func health() async throws {}
}

/// The one symbol the host looks up: returns the static descriptor built from ``EchoPlugin``.
@_cdecl("cap_plugin_entry_v1")
public func capPluginEntry() -> UnsafeRawPointer { PluginExport.descriptor(for: EchoPlugin.self) }
