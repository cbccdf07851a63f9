import CapPluginABI
import Synchronization

/// The plugin types this image exports, keyed by type: each gets its descriptor (built once)
/// and a ``CreateEntryPoints`` slot.
enum ExportRegistry {
    /// What the kit keeps for one exported type.
    struct Registration: @unchecked Sendable {
        /// The never-freed descriptor; immutable once built, so safe to share.
        let descriptor: UnsafePointer<cap_plugin>
        /// The capability table, prepared for requests.
        let capabilities: [ExportedCapability]
        /// Calls the type's `init(context:)`.
        let makePlugin: @Sendable (PluginContext) throws -> any CapabilityPlugin
    }

    private struct State {
        var slotByType: [ObjectIdentifier: Int] = [:]
        var registrations: [Registration] = []
    }

    private static let state = Mutex(State())

    /// The registration for `Plugin`, building its descriptor on first use.
    static func registration<Plugin: CapabilityPlugin>(for type: Plugin.Type) -> Registration {
        state.withLock { state in
            if let slot = state.slotByType[ObjectIdentifier(type)] {
                return state.registrations[slot]
            }
            let slot = state.registrations.count
            precondition(slot < CreateEntryPoints.capacity,
                         "PluginKit exports at most \(CreateEntryPoints.capacity) plugin types per image; \(Plugin.self) is one too many")
            let manifest = Plugin.manifest
            let registration = Registration(
                descriptor: StaticDescriptor.make(manifest, buildID: defaultBuildID(for: type),
                                                  create: CreateEntryPoints.table[slot]),
                capabilities: manifest.capabilities.enumerated().map { ExportedCapability($1, index: $0) },
                makePlugin: { try Plugin(context: $0) })
            state.registrations.append(registration)
            state.slotByType[ObjectIdentifier(type)] = slot
            return registration
        }
    }

    /// The registration that owns `slot`; a slot is only reachable through its own descriptor.
    static func registration(slot: Int) -> Registration {
        state.withLock { $0.registrations[slot] }
    }

    /// `"PluginKit; swift-6.3; EchoSwiftPlugin.EchoPlugin"` when the manifest names no build.
    private static func defaultBuildID<Plugin>(for type: Plugin.Type) -> String {
        #if compiler(>=6.4)
        let compiler = "swift-6.4+"
        #elseif compiler(>=6.3)
        let compiler = "swift-6.3"
        #elseif compiler(>=6.2)
        let compiler = "swift-6.2"
        #else
        let compiler = "swift-6.1"
        #endif
        // `_typeName`, not `String(reflecting:)`: the latter casts the metatype to three
        // protocols first, and each miss scans every loaded image's conformance table.
        return "PluginKit; \(compiler); \(_typeName(type, qualified: true))"
    }
}
