#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import CapPluginABI

/// Lays a ``PluginManifest`` out as the header's static `cap_plugin` descriptor.
///
/// Every string and table is copied into C memory that is never freed: the header requires the
/// descriptor to stay valid and unchanged for as long as the library is mapped, and Swift
/// plugins are never unmapped.
enum StaticDescriptor {
    /// Builds the descriptor for `manifest`, pointing `create` at `create`.
    static func make(_ manifest: PluginManifest, buildID: String, create: cap_create_fn) -> UnsafePointer<cap_plugin> {
        let capabilities = UnsafeMutablePointer<cap_capability>.allocate(capacity: max(manifest.capabilities.count, 1))
        for (index, capability) in manifest.capabilities.enumerated() {
            let methods = UnsafeMutablePointer<cap_method>.allocate(capacity: max(capability.methods.count, 1))
            for (methodIndex, method) in capability.methods.enumerated() {
                (methods + methodIndex).initialize(to: cap_method(
                    name: copy(method.name),
                    description: copy(method.description),
                    input_schema: method.inputSchema.map(copy)))
            }
            var entry = cap_capability()
            entry.struct_size = UInt32(MemoryLayout<cap_capability>.stride)
            entry.method_count = UInt32(capability.methods.count)
            entry.domain = copy(capability.domain)
            entry.category = copy(capability.category)
            entry.provider = copy(capability.provider)
            entry.priority = capability.priority
            entry.stack_level = capability.stackLevel
            entry.methods = UnsafePointer(methods)
            entry.description = capability.description.map(copy)
            (capabilities + index).initialize(to: entry)
        }

        var descriptor = cap_plugin() // all zero: reserved0 and reserved[] must be
        descriptor.magic = CAP_PLUGIN_MAGIC
        descriptor.struct_size = UInt32(MemoryLayout<cap_plugin>.stride)
        descriptor.abi_major = UInt16(CAP_ABI_MAJOR)
        descriptor.abi_minor = UInt16(CAP_ABI_MINOR)
        descriptor.name = copy(manifest.name)
        descriptor.version = copy(manifest.version)
        descriptor.vendor = copy(manifest.vendor)
        descriptor.build_id = copy(manifest.buildID ?? buildID)
        descriptor.flags = manifest.flags.rawValue
        descriptor.capabilities = UnsafePointer(capabilities)
        descriptor.capability_count = UInt32(manifest.capabilities.count)
        descriptor.create = create
        descriptor.invoke = PluginEntryPoints.invoke
        descriptor.health = PluginEntryPoints.health
        descriptor.quiesce = PluginEntryPoints.quiesce
        descriptor.destroy = PluginEntryPoints.destroy

        let storage = UnsafeMutablePointer<cap_plugin>.allocate(capacity: 1)
        storage.initialize(to: descriptor)
        return UnsafePointer(storage)
    }

    /// A NUL-terminated copy of `text` that lives forever.
    private static func copy(_ text: String) -> UnsafePointer<CChar> {
        UnsafePointer(strdup(text)!)
    }
}
