import CapHostCore
import CapPluginABI

/// A `DescriptorSpec` laid out in memory the way a plugin's static data would be:
/// a `cap_plugin` of exactly `struct_size` bytes (at least its 16-byte header, at most
/// this host's size), a capability table whose elements sit `capabilities[0].struct_size`
/// apart, method tables, and NUL-terminated strings. Every piece is its own heap block
/// of exactly its size, so AddressSanitizer reports a read past any of them.
///
/// A count written larger than the entries written gets zero-filled entries up to it
/// when the reader's limit allows that count (a plugin's table really would be that
/// long); above the limit only the written entries exist, because the reader must
/// refuse the count before it reads a single one.
final class DescriptorImage {
    /// What `cap_plugin_entry_v1()` would return: the descriptor, or NULL.
    private(set) var entry: UnsafeRawPointer?
    private var blocks: [UnsafeMutableRawPointer] = []

    init(_ spec: DescriptorSpec) {
        var plugin = cap_plugin()
        plugin.magic = spec.magic
        plugin.struct_size = spec.structSize
        plugin.abi_major = spec.abiMajor
        plugin.abi_minor = spec.abiMinor
        plugin.name = string(spec.name)
        plugin.version = string(spec.version)
        plugin.vendor = string(spec.vendor)
        plugin.build_id = string(spec.buildID)
        plugin.flags = spec.flags
        plugin.capability_count = spec.capabilityCount
        plugin.reserved0 = spec.reserved0
        plugin.capabilities = spec.capabilitiesNull ? nil : capabilityTable(spec)
        // Never called while reading: a call would be a bug in the reader.
        plugin.create = spec.nullFunctions.contains("create") ? nil : { _, _, _, _, _ in fatalError("descriptor reading called create()") }
        plugin.invoke = spec.nullFunctions.contains("invoke") ? nil : { _, _, _, _, _, _, _ in fatalError("descriptor reading called invoke()") }
        plugin.health = spec.nullFunctions.contains("health") ? nil : { _, _ in fatalError("descriptor reading called health()") }
        plugin.quiesce = spec.nullFunctions.contains("quiesce") ? nil : { _ in fatalError("descriptor reading called quiesce()") }
        plugin.destroy = spec.nullFunctions.contains("destroy") ? nil : { _ in fatalError("descriptor reading called destroy()") }

        let hostSize = MemoryLayout<cap_plugin>.size
        let size = min(max(Int(spec.structSize), 16), hostSize)
        let block = allocate(size)
        withUnsafeBytes(of: &plugin) { block.copyMemory(from: $0.baseAddress!, byteCount: size) }
        entry = spec.entryReturnsNull ? nil : UnsafeRawPointer(block)
    }

    deinit {
        for block in blocks { block.deallocate() }
    }

    private func capabilityTable(_ spec: DescriptorSpec) -> UnsafePointer<cap_capability> {
        let hostSize = MemoryLayout<cap_capability>.size
        let declared = Int(spec.capabilityCount)
        let count = declared <= DescriptorReader.maxCapabilities ? max(declared, spec.capabilities.count) : spec.capabilities.count
        // The stride the reader will use, if it accepts capabilities[0]'s struct_size at all.
        let stride = min(max(Int(spec.capabilities.first?.structSize ?? UInt32(hostSize)), 4), hostSize)
        let table = allocate(max(count, 1) * stride)
        for (index, written) in spec.capabilities.enumerated() where index < count {
            var capability = cap_capability()
            capability.struct_size = written.structSize
            capability.method_count = written.methodCount
            capability.domain = string(written.domain)
            capability.category = string(written.category)
            capability.provider = string(written.provider)
            capability.priority = written.priority
            capability.stack_level = written.stackLevel
            capability.methods = written.methodsNull ? nil : methodTable(written)
            capability.description = string(written.description)
            withUnsafeBytes(of: &capability) { (table + index * stride).copyMemory(from: $0.baseAddress!, byteCount: stride) }
        }
        return UnsafePointer(table.assumingMemoryBound(to: cap_capability.self))
    }

    private func methodTable(_ capability: DescriptorSpec.Capability) -> UnsafePointer<cap_method> {
        let declared = Int(capability.methodCount)
        let count = declared <= DescriptorReader.maxMethods ? max(declared, capability.methods.count) : capability.methods.count
        let table = allocate(max(count, 1) * MemoryLayout<cap_method>.stride).bindMemory(to: cap_method.self, capacity: max(count, 1))
        for (index, written) in capability.methods.enumerated() {
            table[index] = cap_method(name: string(written.name), description: string(written.description),
                                      input_schema: string(written.inputSchema))
        }
        return UnsafePointer(table)
    }

    /// A NUL-terminated copy of `bytes`, or NULL.
    private func string(_ bytes: [UInt8]?) -> UnsafePointer<CChar>? {
        guard let bytes else { return nil }
        let block = allocate(bytes.count + 1)
        bytes.withUnsafeBytes { block.copyMemory(from: $0.baseAddress ?? UnsafeRawPointer(block), byteCount: bytes.count) }
        block.storeBytes(of: 0, toByteOffset: bytes.count, as: UInt8.self)
        return UnsafePointer(block.assumingMemoryBound(to: CChar.self))
    }

    /// A zero-filled block of exactly `size` bytes, freed with the image.
    private func allocate(_ size: Int) -> UnsafeMutableRawPointer {
        let block = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 16)
        block.initializeMemory(as: UInt8.self, repeating: 0, count: size)
        blocks.append(block)
        return block
    }
}
