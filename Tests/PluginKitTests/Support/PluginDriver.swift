import CapPluginABI
import PluginKit

/// Drives a PluginKit descriptor the way the host does: only through its C function pointers.
struct PluginDriver: @unchecked Sendable {
    /// What one C `invoke` produced.
    struct Answer {
        var status: cap_status
        var body: [UInt8]
        /// Whether the response buffer had a release function.
        var hadRelease: Bool
        /// Whether the buffer read as empty after its release ran.
        var emptiedByRelease: Bool
        var text: String { String(decoding: body, as: UTF8.self) }
    }

    let descriptor: UnsafePointer<cap_plugin>

    init<Plugin: CapabilityPlugin>(_ type: Plugin.Type) {
        descriptor = PluginExport.descriptor(for: type).assumingMemoryBound(to: cap_plugin.self)
    }

    /// `create` with the test host's table; returns the status and the instance pointer.
    func create(host: TestHost, config: String = "{}", call: TestCall = TestCall()) -> (status: cap_status, instance: UnsafeMutableRawPointer?) {
        var instance: UnsafeMutableRawPointer?
        var config = config
        let status = config.withUTF8 { bytes in
            descriptor.pointee.create!(UnsafePointer(host.api), host.handle,
                                       cap_str(ptr: UnsafeRawPointer(bytes.baseAddress!).assumingMemoryBound(to: CChar.self), len: bytes.count),
                                       call.handle, &instance)
        }
        return (status, instance)
    }

    /// `invoke`, copying the response and releasing it through its own release function.
    func invoke(_ instance: UnsafeMutableRawPointer?, capability: UInt32 = 0, method: UInt32, payload: [UInt8] = [],
                deadline: UInt64 = 0, call: TestCall = TestCall()) -> Answer {
        var out = cap_buffer(data: nil, len: 0, release: nil, release_ctx: nil)
        let status = payload.withUnsafeBufferPointer { bytes in
            descriptor.pointee.invoke!(instance, capability, method,
                                       cap_str(ptr: bytes.isEmpty ? nil : UnsafeRawPointer(bytes.baseAddress!).assumingMemoryBound(to: CChar.self),
                                               len: bytes.count),
                                       deadline, call.handle, &out)
        }
        let body = out.len == 0 ? [] : Array(UnsafeBufferPointer(start: out.data, count: out.len))
        let hadRelease = out.release != nil
        out.release?(&out)
        return Answer(status: status, body: body, hadRelease: hadRelease,
                      emptiedByRelease: out.data == nil && out.len == 0 && out.release == nil)
    }

    /// `invoke` by method name.
    func invoke(_ instance: UnsafeMutableRawPointer?, capability: UInt32 = 0, _ method: String, payload: String = "",
                deadline: UInt64 = 0, call: TestCall = TestCall()) -> Answer {
        invoke(instance, capability: capability, method: methodIndex(method, capability: capability),
               payload: Array(payload.utf8), deadline: deadline, call: call)
    }

    func health(_ instance: UnsafeMutableRawPointer?, call: TestCall = TestCall()) -> cap_status {
        descriptor.pointee.health!(instance, call.handle)
    }

    func quiesce(_ instance: UnsafeMutableRawPointer?) { descriptor.pointee.quiesce!(instance) }

    func destroy(_ instance: UnsafeMutableRawPointer?) { descriptor.pointee.destroy!(instance) }

    /// The wire index of `name` in capability `capability`'s method table.
    func methodIndex(_ name: String, capability: UInt32 = 0) -> UInt32 {
        let entry = descriptor.pointee.capabilities[Int(capability)]
        for index in 0..<Int(entry.method_count) where String(cString: entry.methods[index].name) == name {
            return UInt32(index)
        }
        fatalError("method \(name) is not declared")
    }
}
