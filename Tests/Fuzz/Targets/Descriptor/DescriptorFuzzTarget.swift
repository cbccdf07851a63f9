import CapHostCore
import Foundation

/// `descriptor`: the host's descriptor validation (`DescriptorReader`, what the loader
/// runs on the pointer `cap_plugin_entry_v1()` returns) over a `cap_plugin`, its
/// capability and method tables and their strings, all built from the input
/// (`DescriptorSpec`); then an accepted descriptor crosses the probe's JSON report
/// (the child encodes it, the host decodes it) and each method's input schema is
/// compiled as the first call would compile it.
enum DescriptorFuzzTarget {
    static let target = FuzzTarget(
        name: "descriptor",
        summary: "a cap_plugin, its tables and strings, written as DescriptorSpec text, read by DescriptorReader",
        dictionary: "descriptor.dict"
    ) { input throws(FuzzFinding) in
        let spec = DescriptorSpec(parsing: input)
        let image = DescriptorImage(spec)
        let descriptor: PluginDescriptor
        do throws(PluginLoadError) {
            descriptor = try DescriptorReader(file: "fuzz.so").read(image.entry).0
        } catch {
            guard error.check == .descriptor, !error.detail.isEmpty else {
                throw FuzzFinding("descriptor", "a refusal must be a descriptor check with a reason, found \(error)")
            }
            return
        }
        try check(descriptor, against: spec)
        do {
            let report = try JSONEncoder().encode(descriptor)
            guard try JSONDecoder().decode(PluginDescriptor.self, from: report) == descriptor else {
                throw FuzzFinding("descriptor", "the probe report's JSON decodes to a different descriptor")
            }
        } catch let finding as FuzzFinding {
            throw finding
        } catch {
            throw FuzzFinding("descriptor", "an accepted descriptor does not cross the probe report's JSON: \(error)")
        }
        for method in descriptor.capabilities.flatMap(\.methods) {
            _ = try? CompiledSchema(method.inputSchema)
        }
    }

    /// An accepted descriptor says what the memory said.
    private static func check(_ descriptor: PluginDescriptor, against spec: DescriptorSpec) throws(FuzzFinding) {
        func fail(_ message: String) -> FuzzFinding { FuzzFinding("descriptor", "accepted, but \(message)") }
        guard descriptor.capabilities.count == Int(spec.capabilityCount) else {
            throw fail("\(descriptor.capabilities.count) capabilities were read where capability_count is \(spec.capabilityCount)")
        }
        guard let name = spec.name, descriptor.name == cString(name) else {
            throw fail("the name read is '\(descriptor.name)', not the one in memory")
        }
        for (index, capability) in descriptor.capabilities.enumerated() {
            guard index < spec.capabilities.count else { throw fail("capabilities[\(index)] was read from a zero-filled entry") }
            let written = spec.capabilities[index]
            guard capability.methods.count == Int(written.methodCount) else {
                throw fail("capabilities[\(index)] has \(capability.methods.count) methods where method_count is \(written.methodCount)")
            }
            guard (-1000...1000).contains(capability.priority), (-100...100).contains(capability.stackLevel) else {
                throw fail("capabilities[\(index)] has priority \(capability.priority) and stack level \(capability.stackLevel), outside the ABI's ranges")
            }
        }
    }

    /// The string a C reader sees in `bytes`: up to the first NUL.
    private static func cString(_ bytes: [UInt8]) -> String {
        String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
    }
}
