import CapPluginABI
import PluginKit
import Testing

extension PluginKitTests {
    @Suite("Descriptor")
    struct DescriptorTests {
        let descriptor = PluginDriver(ProbePlugin.self).descriptor

        @Test("header fields: magic, sizes, ABI version, names, flags, reserved")
        func headerFields() {
            let plugin = descriptor.pointee
            #expect(plugin.magic == 0x3154_534F_4850_4143)
            #expect(plugin.magic == CAP_PLUGIN_MAGIC)
            withUnsafeBytes(of: plugin.magic.littleEndian) { #expect(Array($0) == Array("CAPHOST1".utf8)) }
            #expect(plugin.struct_size == 176)
            #expect(plugin.abi_major == 1 && plugin.abi_minor == 4)
            #expect(String(cString: plugin.name) == "probe")
            #expect(String(cString: plugin.version) == "2.3.4-beta.1+kit")
            #expect(String(cString: plugin.vendor) == "PluginKit tests")
            #expect(String(cString: plugin.build_id) == "probe-build-7")
            #expect(plugin.flags == UInt64(CAP_PLUGIN_THREAD_SAFE))
            #expect(plugin.capability_count == 2)
            #expect(plugin.reserved0 == 0)
            withUnsafeBytes(of: plugin.reserved) { #expect($0.allSatisfy { $0 == 0 }) }
            #expect(plugin.create != nil && plugin.invoke != nil && plugin.health != nil)
            #expect(plugin.quiesce != nil && plugin.destroy != nil)
        }

        @Test("capability table: stride, slot, rank, methods and schemas")
        func capabilityTable() {
            let first = descriptor.pointee.capabilities[0]
            #expect(first.struct_size == 56)
            #expect(String(cString: first.domain) == "adapter")
            #expect(String(cString: first.category) == "probe")
            #expect(String(cString: first.provider) == "kit")
            #expect(first.priority == 42 && first.stack_level == -3)
            #expect(String(cString: first.description) == "Exercises the kit")
            #expect(first.method_count == UInt32(ProbePlugin.manifest.capabilities[0].methods.count))
            #expect(String(cString: first.methods[0].name) == "echo")
            #expect(String(cString: first.methods[0].description) == "Returns the payload")
            #expect(String(cString: first.methods[0].input_schema) == #"{"type":"object"}"#)
            #expect(first.methods[1].input_schema == nil)

            let second = descriptor.pointee.capabilities[1]
            #expect(second.struct_size == 56)
            #expect(String(cString: second.domain) == "service")
            #expect(second.description == nil)
            #expect(second.priority == 0 && second.stack_level == 0)
            #expect(second.method_count == 1)
        }

        @Test("the same type always gets the same descriptor; another type gets its own")
        func descriptorPerType() async {
            let again = await withTaskGroup(of: UInt.self) { group in
                for _ in 0..<8 {
                    group.addTask { UInt(bitPattern: PluginExport.descriptor(for: ProbePlugin.self)) }
                }
                return await group.reduce(into: Set<UInt>()) { $0.insert($1) }
            }
            #expect(again == [UInt(bitPattern: UnsafeRawPointer(descriptor))])
            let responder = PluginExport.descriptor(for: ResponderPlugin.self).assumingMemoryBound(to: cap_plugin.self)
            #expect(responder != descriptor)
            #expect(String(cString: responder.pointee.name) == "responder")
            #expect(responder.pointee.create.map { unsafeBitCast($0, to: UInt.self) }
                    != descriptor.pointee.create.map { unsafeBitCast($0, to: UInt.self) })
        }

        @Test("a manifest without a build id gets the kit's")
        func defaultBuildID() {
            let responder = PluginExport.descriptor(for: ResponderPlugin.self).assumingMemoryBound(to: cap_plugin.self)
            let buildID = String(cString: responder.pointee.build_id)
            #expect(buildID.hasPrefix("PluginKit; swift-"))
            #expect(buildID.hasSuffix("ResponderPlugin"))
        }

        @Test("statuses, flags, log levels and metric kinds equal the header's constants")
        func constantsMatchHeader() {
            #expect(PluginStatus.ok.cValue == CAP_OK)
            #expect(PluginStatus.invalidArgument.cValue == CAP_INVALID_ARGUMENT)
            #expect(PluginStatus.notFound.cValue == CAP_NOT_FOUND)
            #expect(PluginStatus.unavailable.cValue == CAP_UNAVAILABLE)
            #expect(PluginStatus.timeout.cValue == CAP_TIMEOUT)
            #expect(PluginStatus.permission.cValue == CAP_PERMISSION)
            #expect(PluginStatus.rateLimited.cValue == CAP_RATE_LIMITED)
            #expect(PluginStatus.internal.cValue == CAP_INTERNAL)
            #expect(PluginStatus.unimplemented.cValue == CAP_UNIMPLEMENTED)
            #expect(PluginStatus.conflict.cValue == CAP_CONFLICT)
            #expect(PluginStatus.allCases.count == Int(CAP_STATUS_MAX) + 1)
            #expect(PluginStatus(cValue: 99) == .internal)
            #expect(PluginFlags.threadSafe.rawValue == UInt64(CAP_PLUGIN_THREAD_SAFE))
            #expect(PluginFlags.parallelCreate.rawValue == UInt64(CAP_PLUGIN_PARALLEL_CREATE))
            #expect(PluginLogLevel.trace.rawValue == CAP_LOG_TRACE && PluginLogLevel.error.rawValue == CAP_LOG_ERROR)
            #expect(PluginLogLevel.info.rawValue == CAP_LOG_INFO && PluginLogLevel.warning.rawValue == CAP_LOG_WARNING)
            #expect(PluginLogLevel.debug.rawValue == CAP_LOG_DEBUG)
            #expect(PluginMetricKind.counter.rawValue == CAP_METRIC_COUNTER_ADD)
            #expect(PluginMetricKind.histogram.rawValue == CAP_METRIC_HISTOGRAM_OBSERVE)
            #expect(PluginMetricKind.gauge.rawValue == CAP_METRIC_GAUGE_SET)
        }
    }
}
