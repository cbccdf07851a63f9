import CapPluginABI
import Foundation
import Logging
import Metrics

/// The one `cap_host_api` table the host hands every plugin: C callbacks that
/// find the instance's `PluginHostContext` (or the call's `CallRecord`) behind
/// the opaque pointer and do the work in Swift.
enum HostServiceTable {
    /// Allocated once, never freed: plugins may keep the pointer for their lifetime.
    nonisolated(unsafe) static let pointer: UnsafePointer<cap_host_api> = {
        let table = UnsafeMutablePointer<cap_host_api>.allocate(capacity: 1)
        table.initialize(to: cap_host_api(
            struct_size: UInt32(MemoryLayout<cap_host_api>.size),
            abi_major: UInt16(CAP_ABI_MAJOR), abi_minor: UInt16(CAP_ABI_MINOR),
            log: log, set_error: setError, metric: metric, call: call,
            kv_get: keyValueGet, kv_put: keyValuePut, kv_delete: keyValueDelete,
            call_idempotency_key: callIdempotencyKey, describe_capabilities: describeCapabilities,
            report_health: reportHealth))
        return UnsafePointer(table)
    }()

    static func bytes(_ value: cap_str) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: value.ptr, count: value.ptr == nil ? 0 : value.len)
    }

    static func string(_ value: cap_str) -> String { String(decoding: bytes(value), as: UTF8.self) }

    /// Fills `out` with a malloc'd copy of `bytes` that the plugin frees through `release`.
    static func fill(_ out: UnsafeMutablePointer<cap_buffer>, with bytes: UnsafeRawBufferPointer) {
        guard bytes.count > 0, let memory = malloc(bytes.count) else {
            out.pointee = cap_buffer(data: nil, len: 0, release: nil, release_ctx: nil)
            return
        }
        memory.copyMemory(from: bytes.baseAddress!, byteCount: bytes.count)
        out.pointee = cap_buffer(data: memory.assumingMemoryBound(to: UInt8.self), len: bytes.count,
                                 release: releaseMallocBuffer, release_ctx: nil)
    }

    /// Fills `out` with `{"code": …, "message": …}` for a failed host->call.
    static func fillError(_ out: UnsafeMutablePointer<cap_buffer>, code: String, message: String) {
        let document = (try? JSONSerialization.data(withJSONObject: ["code": code, "message": message], options: [.sortedKeys])) ?? Data()
        document.withUnsafeBytes { fill(out, with: $0) }
    }

    private static let releaseMallocBuffer: @convention(c) (UnsafeMutablePointer<cap_buffer>?) -> Void = { buffer in
        guard let buffer else { return }
        free(UnsafeMutableRawPointer(mutating: buffer.pointee.data))
        buffer.pointee = cap_buffer(data: nil, len: 0, release: nil, release_ctx: nil)
    }

    private static let log: @convention(c) (OpaquePointer?, Int32, cap_str) -> Void = { host, level, message in
        guard let context = PluginHostContext.from(host) else { return }
        let text = PluginText.bounded(bytes(message))
        let swiftLevel: Logger.Level = switch level {
        case CAP_LOG_TRACE: .trace
        case CAP_LOG_DEBUG: .debug
        case CAP_LOG_INFO: .info
        case CAP_LOG_WARNING: .warning
        default: .error
        }
        context.logger.log(level: swiftLevel, "\(text)")
    }

    private static let setError: @convention(c) (OpaquePointer?, cap_status, cap_str) -> Void = { call, code, message in
        guard let call else { return }
        let record = UnsafeMutableRawPointer(call).assumingMemoryBound(to: CallRecord.self)
        record.pointee.errorStatus = code
        record.pointee.errorMessage = PluginText.bounded(bytes(message))
    }

    private static let callIdempotencyKey: @convention(c) (OpaquePointer?) -> cap_str = { call in
        guard let call else { return cap_str(ptr: nil, len: 0) }
        return UnsafeMutableRawPointer(call).assumingMemoryBound(to: CallRecord.self).pointee.idempotencyKey
    }

    private static let metric: @convention(c) (OpaquePointer?, Int32, cap_str, UnsafePointer<cap_label>?, Int, Double) -> Void = {
        host, kind, name, labels, labelCount, value in
        guard let context = PluginHostContext.from(host) else { return }
        let metricName = string(name)
        guard MetricName.isValid(metricName) else {
            context.warnOnce(about: metricName, "metric name '\(metricName)' is not ^[a-z_][a-z0-9_]*$; dropped")
            return
        }
        var dimensions: [(String, String)] = [("plugin", context.pluginName)]
        for index in 0..<(labels == nil ? 0 : labelCount) {
            let key = string(labels![index].key)
            guard MetricName.isValid(key) else {
                context.warnOnce(about: metricName + "." + key, "metric \(metricName) label '\(key)' is not ^[a-z_][a-z0-9_]*$; dropped")
                return
            }
            dimensions.append((key, PluginText.bounded(bytes(labels![index].value), limit: maxLabelValueBytes)))
        }
        switch kind {
        case CAP_METRIC_COUNTER_ADD:
            guard value >= 0, value.isFinite else { return }
            Counter(label: metricName, dimensions: dimensions).increment(by: Int64(value))
        case CAP_METRIC_HISTOGRAM_OBSERVE:
            Recorder(label: metricName, dimensions: dimensions, aggregate: true).record(value)
        case CAP_METRIC_GAUGE_SET:
            Gauge(label: metricName, dimensions: dimensions).record(value)
        default:
            context.warnOnce(about: "kind.\(kind)", "metric kind \(kind) is unknown (expected 0...2); dropped")
        }
    }

    private static let call: @convention(c) (OpaquePointer?, OpaquePointer?, cap_str, cap_str, cap_str, UnsafeMutablePointer<cap_buffer>?) -> cap_status = {
        host, parent, target, method, payload, out in
        guard let out else { return CAP_INVALID_ARGUMENT }
        out.pointee = cap_buffer(data: nil, len: 0, release: nil, release_ctx: nil)
        guard let context = PluginHostContext.from(host), let invoker = context.invoker else {
            fillError(out, code: "unavailable", message: "host call to \(PluginText.bounded(bytes(target), limit: 200)) refused: the host serves calls only after create() and the first health check have returned")
            return CAP_UNAVAILABLE
        }
        let parentRecord = parent.map { UnsafeMutableRawPointer($0).assumingMemoryBound(to: CallRecord.self) }
        let targetText = string(target)
        guard let reference = CapabilityReference(parsing: targetText) else {
            fillError(out, code: "invalid_argument", message: "host call target '\(targetText)' is not domain:category[:provider]")
            return CAP_INVALID_ARGUMENT
        }
        let depth = (parentRecord?.pointee.depth ?? 0) + 1
        let deadline = parentRecord?.pointee.deadlineNanoseconds ?? 0
        do throws(InvocationError) {
            let site = try invoker.callSite(reference, method: string(method))
            try invoker.invoke(site, payload: bytes(payload), deadlineNanoseconds: deadline, depth: depth) { response, _ in
                fill(out, with: response)
            }
            return CAP_OK
        } catch {
            fillError(out, code: error.code.rawValue, message: error.message)
            return error.status.raw
        }
    }

    private static let describeCapabilities: @convention(c) (OpaquePointer?, UnsafeMutablePointer<cap_buffer>?) -> cap_status = { host, out in
        guard let out else { return CAP_INVALID_ARGUMENT }
        out.pointee = cap_buffer(data: nil, len: 0, release: nil, release_ctx: nil)
        // The invoker arrives once the host serves; until then (create()) there is no graph to give.
        guard let context = PluginHostContext.from(host), let invoker = context.invoker else { return CAP_UNAVAILABLE }
        let document = CapabilityGraphDocument(invoker.registry.allSlots().map { $0.explain() })
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        guard let data = try? encoder.encode(document) else { return CAP_INTERNAL }
        data.withUnsafeBytes { fill(out, with: $0) }
        return CAP_OK
    }

    /// Longest metric label value kept, in bytes.
    static let maxLabelValueBytes = 256

    /// Longest registry-health reason kept, in bytes.
    static let maxRegistryHealthReasonBytes = 512

    private static let reportHealth: @convention(c) (OpaquePointer?, cap_str, Int32, cap_str) -> cap_status = { host, candidate, state, reason in
        guard let context = PluginHostContext.from(host), let invoker = context.invoker else { return CAP_UNAVAILABLE }
        guard let id = CapabilityID(parsing: string(candidate)) else { return CAP_INVALID_ARGUMENT }
        guard [CAP_REGISTRY_HEALTH_UNKNOWN, CAP_REGISTRY_HEALTH_HEALTHY, CAP_REGISTRY_HEALTH_UNHEALTHY].contains(state) else {
            return CAP_INVALID_ARGUMENT
        }
        guard let whole = String(validating: bytes(reason), as: UTF8.self) else { return CAP_INVALID_ARGUMENT }
        let text = PluginText.bounded(whole, limit: maxRegistryHealthReasonBytes)
        guard let target = invoker.registry.candidate(id), !target.isRetired else { return CAP_NOT_FOUND }
        let report = state == CAP_REGISTRY_HEALTH_UNHEALTHY
            ? RegistryHealthReport(reporter: context.pluginName, reason: text, at: .now) : nil
        let changed = target.control.withLock { control -> Bool in
            let before = control.registryHealth
            // Another reporter's demotion is not this reporter's to withdraw.
            if report == nil, let before, before.reporter != context.pluginName { return false }
            control.registryHealth = report.map { new in before.map { $0.reporter == new.reporter && $0.reason == new.reason ? $0 : new } ?? new }
            return (before == nil) != (report == nil)
        }
        if changed { invoker.registryHealthChanged(target, report, context.pluginName) }
        return CAP_OK
    }

    private static let keyValueGet: @convention(c) (OpaquePointer?, cap_str, UnsafeMutablePointer<cap_buffer>?) -> cap_status = { host, key, out in
        guard let out else { return CAP_INVALID_ARGUMENT }
        out.pointee = cap_buffer(data: nil, len: 0, release: nil, release_ctx: nil)
        guard let context = PluginHostContext.from(host), let store = context.keyValueStore else { return CAP_UNAVAILABLE }
        do {
            guard let value = try store.value(plugin: context.pluginName, key: Array(bytes(key))) else { return CAP_NOT_FOUND }
            value.withUnsafeBytes { fill(out, with: $0) }
            return CAP_OK
        } catch {
            context.logger.error("kv_get failed: \(error)")
            return CAP_UNAVAILABLE
        }
    }

    private static let keyValuePut: @convention(c) (OpaquePointer?, cap_str, cap_str) -> cap_status = { host, key, value in
        guard let context = PluginHostContext.from(host), let store = context.keyValueStore else { return CAP_UNAVAILABLE }
        guard key.len > 0, key.len <= 256 else {
            context.warnOnce(about: "kv_put.key", "kv_put refused: a key of \(key.len) bytes (keys are 1...256 bytes)")
            return CAP_INVALID_ARGUMENT
        }
        guard value.len <= 1 << 20 else {
            context.warnOnce(about: "kv_put.value", "kv_put refused: a value of \(value.len) bytes exceeds the limit of 1 MiB")
            return CAP_INVALID_ARGUMENT
        }
        do {
            try store.store(plugin: context.pluginName, key: Array(bytes(key)), value: Array(bytes(value)))
            return CAP_OK
        } catch {
            context.logger.error("kv_put failed: \(error)")
            return CAP_UNAVAILABLE
        }
    }

    private static let keyValueDelete: @convention(c) (OpaquePointer?, cap_str) -> cap_status = { host, key in
        guard let context = PluginHostContext.from(host), let store = context.keyValueStore else { return CAP_UNAVAILABLE }
        do {
            try store.delete(plugin: context.pluginName, key: Array(bytes(key)))
            return CAP_OK
        } catch {
            context.logger.error("kv_delete failed: \(error)")
            return CAP_UNAVAILABLE
        }
    }
}

/// Metric and label names: `^[a-z_][a-z0-9_]*$`.
enum MetricName {
    static func isValid(_ name: String) -> Bool {
        guard let first = name.utf8.first, first == 0x5F || (0x61...0x7A).contains(first) else { return false }
        return name.utf8.allSatisfy { $0 == 0x5F || (0x61...0x7A).contains($0) || (0x30...0x39).contains($0) }
    }
}
