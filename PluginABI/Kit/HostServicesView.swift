import CapPluginABI

/// The host's services table as this build of the kit understands it: a copy of the
/// `cap_host_api` the host passed to `create`, zero-extended by the header's struct-size rule.
///
/// A service is present only when `offsetof(field) + sizeof(field) <= host->struct_size`
/// (`CAP_HOST_HAS`) and its pointer is non-NULL; absent services read as `nil`.
struct HostServicesView: @unchecked Sendable {
    /// The host's handle for this instance (`cap_host *`), passed back to every service.
    let host: OpaquePointer?
    /// `host_api->struct_size` as the host compiled it (0 without a table).
    let structSize: UInt32
    /// The host's ABI version.
    let abiMajor: UInt16
    let abiMinor: UInt16

    let log: (@convention(c) (OpaquePointer?, Int32, cap_str) -> Void)?
    let setError: (@convention(c) (OpaquePointer?, cap_status, cap_str) -> Void)?
    let metric: (@convention(c) (OpaquePointer?, Int32, cap_str, UnsafePointer<cap_label>?, Int, Double) -> Void)?
    let call: (@convention(c) (OpaquePointer?, OpaquePointer?, cap_str, cap_str, cap_str, UnsafeMutablePointer<cap_buffer>?) -> cap_status)?
    let kvGet: (@convention(c) (OpaquePointer?, cap_str, UnsafeMutablePointer<cap_buffer>?) -> cap_status)?
    let kvPut: (@convention(c) (OpaquePointer?, cap_str, cap_str) -> cap_status)?
    let kvDelete: (@convention(c) (OpaquePointer?, cap_str) -> cap_status)?
    /// ABI 1.1.
    let callIdempotencyKey: (@convention(c) (OpaquePointer?) -> cap_str)?
    /// ABI 1.2.
    let describeCapabilities: (@convention(c) (OpaquePointer?, UnsafeMutablePointer<cap_buffer>?) -> cap_status)?
    /// ABI 1.3.
    let reportHealth: (@convention(c) (OpaquePointer?, cap_str, Int32, cap_str) -> cap_status)?

    /// Reads the services the host's table contains; a NULL table offers none.
    init(api: UnsafePointer<cap_host_api>?, host: OpaquePointer?) {
        self.host = host
        guard let api else {
            structSize = 0; abiMajor = 0; abiMinor = 0
            log = nil; setError = nil; metric = nil; call = nil; kvGet = nil; kvPut = nil; kvDelete = nil
            callIdempotencyKey = nil; describeCapabilities = nil; reportHealth = nil
            return
        }
        // Every field is read through its own address, never as part of a whole-struct load:
        // a host compiled against an older header allocated only struct_size bytes.
        let size = api.pointer(to: \.struct_size)!.pointee
        structSize = size
        func read<Field>(_ field: KeyPath<cap_host_api, Field>) -> Field? {
            Self.contains(field, size: size) ? api.pointer(to: field)!.pointee : nil
        }
        abiMajor = read(\.abi_major) ?? 0
        abiMinor = read(\.abi_minor) ?? 0
        log = read(\.log) ?? nil
        setError = read(\.set_error) ?? nil
        metric = read(\.metric) ?? nil
        call = read(\.call) ?? nil
        kvGet = read(\.kv_get) ?? nil
        kvPut = read(\.kv_put) ?? nil
        kvDelete = read(\.kv_delete) ?? nil
        callIdempotencyKey = read(\.call_idempotency_key) ?? nil
        describeCapabilities = read(\.describe_capabilities) ?? nil
        reportHealth = read(\.report_health) ?? nil
    }

    /// `CAP_HOST_HAS`: whether a table of `size` bytes contains all of `field`.
    static func contains<Field>(_ field: KeyPath<cap_host_api, Field>, size: UInt32) -> Bool {
        guard let offset = MemoryLayout<cap_host_api>.offset(of: field) else { return false }
        return offset + MemoryLayout<Field>.size <= Int(size)
    }

    /// The idempotency key of `call`, or nil when it has none or the host predates ABI 1.1.
    func idempotencyKey(of call: OpaquePointer?) -> String? {
        guard let callIdempotencyKey, let call else { return nil }
        let key = callIdempotencyKey(call)
        guard key.len > 0, let start = key.ptr else { return nil }
        return String(decoding: UnsafeRawBufferPointer(start: start, count: key.len), as: UTF8.self)
    }

    /// Attaches `message` to `call` through `set_error`, when the host offers it and there is a call.
    func setError(_ call: OpaquePointer?, _ error: PluginError) {
        guard let setError, let call else { return }
        var message = error.message
        message.withUTF8 { bytes in
            setError(call, error.status.cValue, cap_str(bytes))
        }
    }
}
