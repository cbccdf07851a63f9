import CapPluginABI
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The reference: a plugin opened with dlopen/dlsym and called through its own
/// `cap_invoke_fn` with arguments built once — no host in between.
final class RawPluginCall: CallTarget, @unchecked Sendable {
    let invokeFunction: cap_invoke_fn
    private let destroyFunction: cap_destroy_fn
    private let instance: UnsafeMutableRawPointer?
    private let hostAPI: UnsafeMutablePointer<cap_host_api>
    let method: UInt32

    /// Opens `file` and creates an instance with config `{}`; `method` is the
    /// method index to call (noop.c: 0 = noop).
    init(file: String, method: UInt32) throws(BenchError) {
        guard let handle = dlopen(file, RTLD_NOW | RTLD_LOCAL) else {
            throw BenchError("dlopen \(file): \(String(cString: dlerror()))")
        }
        guard let symbol = dlsym(handle, CAP_PLUGIN_ENTRY_SYMBOL) else {
            throw BenchError("\(file) exports no \(CAP_PLUGIN_ENTRY_SYMBOL)")
        }
        let entry = unsafeBitCast(symbol, to: cap_plugin_entry_fn.self)
        guard let descriptor = entry(), let create = descriptor.pointee.create,
              let invoke = descriptor.pointee.invoke, let destroy = descriptor.pointee.destroy else {
            throw BenchError("\(file): incomplete descriptor")
        }
        // noop.c keeps the table for error messages only; a zeroed one is never read on success.
        let hostAPI = UnsafeMutablePointer<cap_host_api>.allocate(capacity: 1)
        UnsafeMutableRawPointer(hostAPI).initializeMemory(as: UInt8.self, repeating: 0, count: MemoryLayout<cap_host_api>.size)
        var created: UnsafeMutableRawPointer?
        let status = "{}".withCString { config in
            create(hostAPI, nil, cap_str(ptr: config, len: 2), nil, &created)
        }
        guard status == CAP_OK else {
            hostAPI.deallocate()
            throw BenchError("\(file): create returned \(status)")
        }
        self.hostAPI = hostAPI
        invokeFunction = invoke
        destroyFunction = destroy
        instance = created
        self.method = method
    }

    deinit {
        destroyFunction(instance)
        hostAPI.deallocate()
    }

    /// One call with an empty payload; true on CAP_OK. (noop fills no response,
    /// so there is nothing to release.)
    @inline(__always)
    func call() -> Bool {
        var out = cap_buffer(data: nil, len: 0, release: nil, release_ctx: nil)
        return invokeFunction(instance, 0, method, cap_str(ptr: nil, len: 0), 0, nil, &out) == CAP_OK
    }
}
