#if canImport(Glibc)
import Glibc
#endif
import CapPluginABI
import PluginKit
import Synchronization

/// A host for the kit's tests: a real `cap_host_api` table whose services record what plugins
/// do (log lines, metrics, key-value traffic, nested calls) and count every buffer the host
/// hands out and gets back released.
final class TestHost: Sendable {
    /// One recorded metric.
    struct Metric: Sendable, Equatable {
        var kind: Int32
        var name: String
        var labels: [String]
        var value: Double
    }

    /// One nested call a plugin made through `host_api->call`.
    struct NestedCall: Sendable, Equatable {
        var target: String
        var method: String
        var payload: [UInt8]
        /// The `parent` the plugin passed, as an address (0 for NULL).
        var parent: UInt
    }

    private struct Records {
        var logs: [(level: Int32, message: String)] = []
        var metrics: [Metric] = []
        var nestedCalls: [NestedCall] = []
        var store: [String: [UInt8]] = [:]
        var hostBuffersOut = 0
        var hostBuffersReleased = 0
        var servicesCalledBeyondStructSize: [String] = []
    }

    private let records = Mutex(Records())
    /// The services table handed to `create`; lives as long as the host.
    nonisolated(unsafe) let api: UnsafeMutablePointer<cap_host_api>
    /// Whether `kv_*` answer (else `CAP_UNAVAILABLE`, like a host without a state store).
    let hasStore: Bool
    /// Answers `call` for target `adapter:responder`.
    let responder: ResponderEndpoint?

    /// A host whose table is `structSize` bytes (the full table by default).
    init(structSize: Int = MemoryLayout<cap_host_api>.stride, hasStore: Bool = true, responder: ResponderEndpoint? = nil) {
        self.hasStore = hasStore
        self.responder = responder
        api = .allocate(capacity: 1)
        api.initialize(to: cap_host_api(
            struct_size: UInt32(structSize), abi_major: UInt16(CAP_ABI_MAJOR), abi_minor: UInt16(CAP_ABI_MINOR),
            log: TestHost.logService, set_error: TestCall.setErrorService, metric: TestHost.metricService,
            call: TestHost.callService, kv_get: TestHost.kvGetService, kv_put: TestHost.kvPutService,
            kv_delete: TestHost.kvDeleteService, call_idempotency_key: TestCall.idempotencyKeyService,
            describe_capabilities: TestHost.describeCapabilitiesService, report_health: nil))
        self.structSize = structSize
    }

    private let structSize: Int

    deinit {
        api.deinitialize(count: 1)
        api.deallocate()
    }

    /// The `cap_host *` plugins get: this object, unretained.
    var handle: OpaquePointer { OpaquePointer(Unmanaged.passUnretained(self).toOpaque()) }

    var logs: [(level: Int32, message: String)] { records.withLock { $0.logs } }
    var logMessages: [String] { logs.map(\.message) }
    var metrics: [Metric] { records.withLock { $0.metrics } }
    var nestedCalls: [NestedCall] { records.withLock { $0.nestedCalls } }
    var store: [String: [UInt8]] { records.withLock { $0.store } }
    /// Buffers the host filled for the plugin (kv_get, call) and how many came back released.
    var hostBuffers: (out: Int, released: Int) { records.withLock { ($0.hostBuffersOut, $0.hostBuffersReleased) } }
    var servicesCalledBeyondStructSize: [String] { records.withLock { $0.servicesCalledBeyondStructSize } }

    private static func from(_ host: OpaquePointer?) -> TestHost {
        Unmanaged<TestHost>.fromOpaque(UnsafeRawPointer(host!)).takeUnretainedValue()
    }

    /// Records a service call the table's struct_size says the plugin should not have seen.
    private func checkInside(_ field: PartialKeyPath<cap_host_api>, _ name: String) {
        let offset = MemoryLayout<cap_host_api>.offset(of: field)!
        if offset + MemoryLayout<UnsafeRawPointer>.size > structSize {
            records.withLock { $0.servicesCalledBeyondStructSize.append(name) }
        }
    }

    // MARK: Buffers the host hands out

    /// Fills `out` with a host-allocated copy whose release the host counts.
    private func fill(_ out: UnsafeMutablePointer<cap_buffer>, _ bytes: [UInt8]) {
        let memory = malloc(max(bytes.count, 1))!
        bytes.withUnsafeBytes { memory.copyMemory(from: $0.baseAddress ?? UnsafeRawPointer(memory), byteCount: $0.count) }
        records.withLock { $0.hostBuffersOut += 1 }
        out.pointee = cap_buffer(data: UnsafePointer(memory.assumingMemoryBound(to: UInt8.self)), len: bytes.count,
                                 release: TestHost.releaseHostBuffer,
                                 release_ctx: Unmanaged.passUnretained(self).toOpaque())
    }

    private static let releaseHostBuffer: @convention(c) (UnsafeMutablePointer<cap_buffer>?) -> Void = { buffer in
        guard let buffer else { return }
        let host = Unmanaged<TestHost>.fromOpaque(buffer.pointee.release_ctx!).takeUnretainedValue()
        free(UnsafeMutableRawPointer(mutating: buffer.pointee.data))
        host.records.withLock { $0.hostBuffersReleased += 1 }
        buffer.pointee = cap_buffer(data: nil, len: 0, release: nil, release_ctx: nil)
    }

    // MARK: Services

    private static let logService: @convention(c) (OpaquePointer?, Int32, cap_str) -> Void = { host, level, message in
        let host = from(host)
        host.checkInside(\cap_host_api.log, "log")
        host.records.withLock { $0.logs.append((level, message.string)) }
    }

    private static let metricService: @convention(c) (OpaquePointer?, Int32, cap_str, UnsafePointer<cap_label>?, Int, Double) -> Void = {
        host, kind, name, labels, count, value in
        let host = from(host)
        host.checkInside(\cap_host_api.metric, "metric")
        let labelTexts = (0..<count).map { "\(labels![$0].key.string)=\(labels![$0].value.string)" }
        host.records.withLock { $0.metrics.append(Metric(kind: kind, name: name.string, labels: labelTexts, value: value)) }
    }

    private static let callService: @convention(c) (OpaquePointer?, OpaquePointer?, cap_str, cap_str, cap_str, UnsafeMutablePointer<cap_buffer>?) -> cap_status = {
        host, parent, target, method, payload, out in
        let host = from(host)
        host.checkInside(\cap_host_api.call, "call")
        host.records.withLock {
            $0.nestedCalls.append(NestedCall(target: target.string, method: method.string, payload: payload.bytes,
                                             parent: UInt(bitPattern: UnsafeRawPointer(parent))))
        }
        guard target.string == "adapter:responder", let responder = host.responder else { return CAP_NOT_FOUND }
        let answer = responder.invoke(method: method.string, payload: payload.bytes, call: parent)
        guard answer.status == CAP_OK else { return answer.status }
        host.fill(out!, answer.body)
        return CAP_OK
    }

    /// What `describe_capabilities` answers: one slot, two candidates, and keys a newer host
    /// might add (the kit must ignore them).
    static let capabilityDocument = #"""
        {"slots":[{"domain":"adapter","category":"notifier","active":"adapter:notifier:mailgun",
        "decidedBy":"adapter:notifier:mailgun won on priority 20 > 10 over adapter:notifier:outbox","override":null,
        "addedLater":{"x":1},"candidates":[
        {"id":"adapter:notifier:mailgun","provider":"mailgun","plugin":"mailgun","version":"1.0.0","priority":20,
         "stackLevel":0,"score":0.93,"breaker":"closed","status":"active","reason":"won on priority 20 > 10 over adapter:notifier:outbox",
         "inFlight":0,"calls":12,"failures":1},
        {"id":"adapter:notifier:outbox","provider":"outbox","plugin":"outbox","version":"1.0.0","priority":10,
         "stackLevel":0,"score":1,"breaker":"half-open","status":"standby","reason":"lost on priority 10 < 20 to adapter:notifier:mailgun",
         "inFlight":0,"calls":0,"failures":0,"addedLater":true}]}]}
        """#

    private static let describeCapabilitiesService: @convention(c) (OpaquePointer?, UnsafeMutablePointer<cap_buffer>?) -> cap_status = { host, out in
        let test = from(host)
        test.checkInside(\cap_host_api.describe_capabilities, "describe_capabilities")
        test.fill(out!, Array(capabilityDocument.utf8))
        return CAP_OK
    }

    private static let kvGetService: @convention(c) (OpaquePointer?, cap_str, UnsafeMutablePointer<cap_buffer>?) -> cap_status = { host, key, out in
        let host = from(host)
        host.checkInside(\cap_host_api.kv_get, "kv_get")
        guard host.hasStore else { return CAP_UNAVAILABLE }
        guard let value = host.records.withLock({ $0.store[key.string] }) else { return CAP_NOT_FOUND }
        host.fill(out!, value)
        return CAP_OK
    }

    private static let kvPutService: @convention(c) (OpaquePointer?, cap_str, cap_str) -> cap_status = { host, key, value in
        let host = from(host)
        host.checkInside(\cap_host_api.kv_put, "kv_put")
        guard host.hasStore else { return CAP_UNAVAILABLE }
        host.records.withLock { $0.store[key.string] = value.bytes }
        return CAP_OK
    }

    private static let kvDeleteService: @convention(c) (OpaquePointer?, cap_str) -> cap_status = { host, key in
        let host = from(host)
        host.checkInside(\cap_host_api.kv_delete, "kv_delete")
        guard host.hasStore else { return CAP_UNAVAILABLE }
        host.records.withLock { _ = $0.store.removeValue(forKey: key.string) }
        return CAP_OK
    }
}
