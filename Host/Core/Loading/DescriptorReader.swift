import CapPluginABI
import Foundation

/// The function pointers of a validated descriptor.
package struct PluginEntryPoints: @unchecked Sendable {
    let create: cap_create_fn
    let invoke: cap_invoke_fn
    let health: cap_health_fn
    let quiesce: cap_quiesce_fn?
    let destroy: cap_destroy_fn
}

/// Reads a `cap_plugin` from memory under the struct-size rule (zero-extend a
/// smaller struct, refuse a larger one) and validates every field.
package struct DescriptorReader {
    /// Longest description or schema text accepted, in bytes.
    static let maxTextLength = 256 * 1024
    /// Most capabilities in one descriptor.
    package static let maxCapabilities = 4096
    /// Most methods in one capability.
    package static let maxMethods = 256

    let file: String

    /// A reader whose refusals name `file`.
    package init(file: String) { self.file = file }

    /// The descriptor at `raw` and its entry points, or the first field that breaks the rules.
    package func read(_ raw: UnsafeRawPointer?) throws(PluginLoadError) -> (PluginDescriptor, PluginEntryPoints) {
        guard let raw else { throw fail("cap_plugin_entry_v1() returned NULL (expected a pointer to a static cap_plugin)") }
        let magic = raw.loadUnaligned(fromByteOffset: 0, as: UInt64.self)
        guard magic == CAP_PLUGIN_MAGIC else {
            throw fail("magic is 0x\(hex(magic)), expected 0x\(hex(CAP_PLUGIN_MAGIC)) (\"CAPHOST1\"): not a caphost plugin descriptor")
        }
        let structSize = raw.loadUnaligned(fromByteOffset: 8, as: UInt32.self)
        let abiMajor = raw.loadUnaligned(fromByteOffset: 12, as: UInt16.self)
        let abiMinor = raw.loadUnaligned(fromByteOffset: 14, as: UInt16.self)
        guard abiMajor == UInt16(CAP_ABI_MAJOR) else {
            throw fail("abi_major is \(abiMajor), this host speaks ABI \(CAP_ABI_MAJOR).\(CAP_ABI_MINOR): rebuild the plugin against this host's caphost_plugin.h")
        }
        guard abiMinor <= UInt16(CAP_ABI_MINOR) else {
            throw fail("abi_minor is \(abiMinor), newer than this host's ABI \(CAP_ABI_MAJOR).\(CAP_ABI_MINOR): upgrade the host or build against its header")
        }
        let hostSize = MemoryLayout<cap_plugin>.size
        guard Int(structSize) <= hostSize else {
            throw fail("struct_size is \(structSize) bytes, larger than this host's cap_plugin (\(hostSize) bytes): built for a newer ABI")
        }
        guard structSize >= 16 else { throw fail("struct_size is \(structSize) bytes, smaller than the fixed 16-byte header") }

        var plugin = cap_plugin()
        withUnsafeMutableBytes(of: &plugin) { $0.copyMemory(from: UnsafeRawBufferPointer(start: raw, count: Int(structSize))) }

        func present(_ offset: Int?, _ size: Int) -> Bool {
            guard let offset else { return false }
            let (end, overflow) = offset.addingReportingOverflow(size)
            return !overflow && end <= Int(structSize)
        }
        func required<T>(_ name: String, _ value: T?, _ offset: Int?) throws(PluginLoadError) -> T {
            guard let value else {
                let why = present(offset, MemoryLayout<UnsafeRawPointer>.size)
                    ? "is NULL" : "is missing (struct_size \(structSize) ends before it)"
                throw fail("required function \(name) \(why)")
            }
            return value
        }
        let entryPoints = PluginEntryPoints(
            create: try required("create", plugin.create, MemoryLayout<cap_plugin>.offset(of: \.create)),
            invoke: try required("invoke", plugin.invoke, MemoryLayout<cap_plugin>.offset(of: \.invoke)),
            health: try required("health", plugin.health, MemoryLayout<cap_plugin>.offset(of: \.health)),
            quiesce: plugin.quiesce,
            destroy: try required("destroy", plugin.destroy, MemoryLayout<cap_plugin>.offset(of: \.destroy)))

        let name = try text(plugin.name, field: "name", required: true)
        if let violation = CapabilityName.violation(in: name) { throw fail("plugin name '\(printable(name))' \(violation)") }
        let versionText = try text(plugin.version, field: "version", required: true)
        guard let version = SemanticVersion(versionText) else {
            throw fail("version '\(printable(versionText))' is not a semantic version (expected MAJOR.MINOR.PATCH, e.g. 1.2.0)")
        }
        let vendor = try text(plugin.vendor, field: "vendor", required: false)
        let buildID = try text(plugin.build_id, field: "build_id", required: false)
        let capabilities = try readCapabilities(plugin.capabilities, count: plugin.capability_count)

        let descriptor = PluginDescriptor(
            name: name, version: version, vendor: vendor, buildID: buildID,
            flags: PluginFlags(rawValue: plugin.flags), abiMajor: abiMajor, abiMinor: abiMinor,
            structSize: structSize, capabilities: capabilities)
        return (descriptor, entryPoints)
    }

    private func readCapabilities(_ table: UnsafePointer<cap_capability>?, count: UInt32) throws(PluginLoadError) -> [CapabilityDescriptor] {
        guard count >= 1 else { throw fail("capability_count is 0: a plugin must provide at least one capability") }
        guard count <= Self.maxCapabilities else { throw fail("capability_count is \(count), more than the limit of \(Self.maxCapabilities)") }
        guard let table else { throw fail("capabilities is NULL but capability_count is \(count)") }
        let base = UnsafeRawPointer(table)
        let stride = Int(base.loadUnaligned(as: UInt32.self))
        let hostSize = MemoryLayout<cap_capability>.size
        guard stride <= hostSize else {
            throw fail("capabilities[0].struct_size is \(stride) bytes, larger than this host's cap_capability (\(hostSize) bytes)")
        }
        let minimum = MemoryLayout<cap_capability>.offset(of: \.methods)! + MemoryLayout<UnsafeRawPointer>.size
        guard stride >= minimum else {
            throw fail("capabilities[0].struct_size is \(stride) bytes, too small to hold the method table (at least \(minimum))")
        }

        var seen: [CapabilityID: Int] = [:]
        var result: [CapabilityDescriptor] = []
        for index in 0..<Int(count) {
            let element = base + index * stride
            let size = Int(element.loadUnaligned(as: UInt32.self))
            guard size == stride else {
                throw fail("capabilities[\(index)].struct_size is \(size), expected \(stride) like capabilities[0]")
            }
            var capability = cap_capability()
            withUnsafeMutableBytes(of: &capability) { $0.copyMemory(from: UnsafeRawBufferPointer(start: element, count: stride)) }
            let at = "capabilities[\(index)]"
            let domain = try text(capability.domain, field: "\(at).domain", required: true)
            guard CapabilityDomain(rawValue: domain) != nil else {
                throw fail("\(at).domain is '\(printable(domain))', expected one of \(CapabilityDomain.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            let category = try name(capability.category, field: "\(at).category")
            let provider = try name(capability.provider, field: "\(at).provider")
            let id = CapabilityID(domain: domain, category: category, provider: provider)
            if let first = seen[id] {
                throw fail("duplicate provider: capabilities[\(first)] and \(at) are both \(id)")
            }
            seen[id] = index
            guard (-1000...1000).contains(capability.priority) else {
                throw fail("\(at) (\(id)) priority is \(capability.priority), expected -1000...1000")
            }
            guard (-100...100).contains(capability.stack_level) else {
                throw fail("\(at) (\(id)) stack_level is \(capability.stack_level), expected -100...100")
            }
            let description = stride >= MemoryLayout<cap_capability>.offset(of: \.description)! + 8
                ? try text(capability.description, field: "\(at).description", required: false) : ""
            let methods = try readMethods(capability.methods, count: capability.method_count, owner: "\(at) (\(id))")
            result.append(CapabilityDescriptor(
                index: UInt32(index), id: id, priority: capability.priority, stackLevel: capability.stack_level,
                description: description, methods: methods))
        }
        return result
    }

    private func readMethods(_ table: UnsafePointer<cap_method>?, count: UInt32, owner: String) throws(PluginLoadError) -> [MethodDescriptor] {
        guard count >= 1 else { throw fail("\(owner) has method_count 0: a capability needs at least one method") }
        guard count <= Self.maxMethods else { throw fail("\(owner) has method_count \(count), more than the limit of \(Self.maxMethods)") }
        guard let table else { throw fail("\(owner) methods is NULL but method_count is \(count)") }
        var names: Set<String> = []
        var result: [MethodDescriptor] = []
        for index in 0..<Int(count) {
            let method = table[index]
            let at = "\(owner) methods[\(index)]"
            let name = try name(method.name, field: "\(at).name")
            guard names.insert(name).inserted else { throw fail("\(owner) declares method '\(name)' twice") }
            let description = try text(method.description, field: "\(at).description", required: false)
            var schema = try text(method.input_schema, field: "\(at).input_schema", required: false)
            if schema.isEmpty { schema = "{}" }
            do {
                let parsed = try JSONSerialization.jsonObject(with: Data(schema.utf8), options: [.fragmentsAllowed])
                guard parsed is [String: Any] || parsed is Bool else {
                    throw fail("\(at) ('\(name)') input_schema is not a JSON object")
                }
            } catch let error as PluginLoadError {
                throw error
            } catch {
                throw fail("\(at) ('\(name)') input_schema is not valid JSON: \(error.localizedDescription)")
            }
            result.append(MethodDescriptor(name: name, description: description, inputSchema: schema))
        }
        return result
    }

    private func name(_ pointer: UnsafePointer<CChar>?, field: String) throws(PluginLoadError) -> String {
        let value = try text(pointer, field: field, required: true, limit: CapabilityName.maxLength + 1)
        if let violation = CapabilityName.violation(in: value) { throw fail("\(field) '\(printable(value))' \(violation)") }
        return value
    }

    /// Reads a NUL-terminated UTF-8 string of at most `limit` bytes.
    private func text(_ pointer: UnsafePointer<CChar>?, field: String, required: Bool, limit: Int = maxTextLength) throws(PluginLoadError) -> String {
        guard let pointer else {
            if required { throw fail("\(field) is NULL (expected a NUL-terminated UTF-8 string)") }
            return ""
        }
        let length = strnlen(pointer, limit + 1)
        guard length <= limit else { throw fail("\(field) is longer than \(limit) bytes (or not NUL-terminated)") }
        let bytes = UnsafeRawBufferPointer(start: pointer, count: length)
        guard let value = String(validating: bytes, as: UTF8.self) else {
            let offset = firstInvalidUTF8Offset(bytes)
            throw fail("\(field) is not valid UTF-8 (bad byte 0x\(String(bytes[offset], radix: 16, uppercase: true)) at offset \(offset))")
        }
        if required && value.isEmpty { throw fail("\(field) is empty") }
        return value
    }

    private func firstInvalidUTF8Offset(_ bytes: UnsafeRawBufferPointer) -> Int {
        var end = bytes.count
        while end > 0, String(validating: UnsafeRawBufferPointer(rebasing: bytes[0..<end]), as: UTF8.self) == nil { end -= 1 }
        return min(end, bytes.count - 1)
    }

    private func printable(_ text: String) -> String {
        String(text.unicodeScalars.map { $0.isASCII && $0.value >= 0x20 && $0.value < 0x7F ? Character($0) : "?" }.prefix(80))
    }

    private func hex(_ value: UInt64) -> String { String(value, radix: 16, uppercase: true) }

    private func fail(_ detail: String) -> PluginLoadError {
        PluginLoadError(file: file, check: .descriptor, detail: detail)
    }
}
