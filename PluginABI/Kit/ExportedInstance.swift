/// One live instance as the C entry points see it: the `void *instance` the host holds is a
/// retained reference to this object, released by `destroy`.
final class ExportedInstance: Sendable {
    /// The author's plugin object.
    let plugin: any CapabilityPlugin
    /// The context it was created with (host services, for `set_error`).
    let context: PluginContext
    /// The descriptor's capability table, by wire index.
    let capabilities: [ExportedCapability]

    init(plugin: any CapabilityPlugin, context: PluginContext, capabilities: [ExportedCapability]) {
        self.plugin = plugin
        self.context = context
        self.capabilities = capabilities
    }

    /// The instance behind a `void *instance` from the host.
    static func from(_ pointer: UnsafeMutableRawPointer) -> ExportedInstance {
        Unmanaged<ExportedInstance>.fromOpaque(pointer).takeUnretainedValue()
    }
}
