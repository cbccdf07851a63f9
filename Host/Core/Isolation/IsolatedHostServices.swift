import CapPluginABI
import Foundation

/// The `cap_host_api` a plugin gets inside `caphost-runner --serve`: every service travels
/// to the host, which serves it as it serves in-process plugins. Call-scoped services stay
/// local (`set_error`, the idempotency key) or ride the call's own channel (a nested `call`
/// with a parent, which inherits its deadline and depth in the host); the others go on the
/// control channel (log and metric one-way, the rest answered).
enum IsolatedHostServices {
    /// Allocated once, never freed: plugins keep the pointer.
    nonisolated(unsafe) static let table: UnsafePointer<cap_host_api> = {
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

    private static var server: IsolatedPluginServer { IsolatedPluginServer.current }

    private static func bytes(_ value: cap_str) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: value.ptr, count: value.ptr == nil ? 0 : value.len)
    }

    /// Fills `out` from a reply body (a malloc'd copy the plugin releases).
    private static func answer(_ reply: (cap_status, [UInt8]), _ out: UnsafeMutablePointer<cap_buffer>) -> cap_status {
        reply.1.withUnsafeBytes { HostServiceTable.fill(out, with: $0) }
        return reply.0
    }

    private static let log: @convention(c) (OpaquePointer?, Int32, cap_str) -> Void = { _, level, message in
        // Cut here as the host would, so a huge line does not cross the boundary whole.
        let text = Array(PluginText.bounded(bytes(message)).utf8)
        text.withUnsafeBytes { server.post(IsolationFrame(.log, a: UInt32(bitPattern: level)), fields: [$0]) }
    }

    private static let setError: @convention(c) (OpaquePointer?, cap_status, cap_str) -> Void = { call, code, message in
        IsolatedCall.from(call)?.setError(code, bytes(message))
    }

    private static let callIdempotencyKey: @convention(c) (OpaquePointer?) -> cap_str = { call in
        IsolatedCall.from(call)?.idempotencyKey ?? cap_str(ptr: nil, len: 0)
    }

    private static let metric: @convention(c) (OpaquePointer?, Int32, cap_str, UnsafePointer<cap_label>?, Int, Double) -> Void = {
        _, kind, name, labels, labelCount, value in
        var fields = [bytes(name)]
        for index in 0..<(labels == nil ? 0 : min(labelCount, 64)) {
            fields.append(bytes(labels![index].key))
            fields.append(bytes(labels![index].value))
        }
        server.post(IsolationFrame(.metric, a: UInt32(bitPattern: kind), value: value.bitPattern), fields: fields)
    }

    private static let call: @convention(c) (OpaquePointer?, OpaquePointer?, cap_str, cap_str, cap_str, UnsafeMutablePointer<cap_buffer>?) -> cap_status = {
        _, parent, target, method, payload, out in
        guard let out else { return CAP_INVALID_ARGUMENT }
        out.pointee = cap_buffer(data: nil, len: 0, release: nil, release_ctx: nil)
        guard let parent else {
            return answer(server.request(.call, fields: [bytes(target), bytes(method), bytes(payload)]), out)
        }
        guard let call = IsolatedCall.from(parent) else { return CAP_INVALID_ARGUMENT }
        // The host serves it on the parent's channel, under the parent's deadline and depth.
        return call.channel.lock.withLock { _ -> cap_status in
            guard !call.isFinished else {
                HostServiceTable.fillError(out, code: "unavailable", message: "host call refused: its parent call has already returned")
                return CAP_UNAVAILABLE
            }
            do throws(IsolationChannel.Failure) {
                try call.channel.send(IsolationFrame(.nestedCall), bytes(target), bytes(method), bytes(payload))
                let reply = try call.channel.receive()
                guard reply.frame.kind == .nestedReply else { return CAP_INTERNAL }
                HostServiceTable.fill(out, with: reply.field(0))
                return reply.frame.status
            } catch {
                HostServiceTable.fillError(out, code: "unavailable", message: "host call failed: the host closed the call's channel")
                return CAP_UNAVAILABLE
            }
        }
    }

    private static let keyValueGet: @convention(c) (OpaquePointer?, cap_str, UnsafeMutablePointer<cap_buffer>?) -> cap_status = { _, key, out in
        guard let out else { return CAP_INVALID_ARGUMENT }
        out.pointee = cap_buffer(data: nil, len: 0, release: nil, release_ctx: nil)
        let reply = server.request(.keyValueGet, fields: [bytes(key)])
        return reply.0 == CAP_OK ? answer(reply, out) : reply.0
    }

    private static let keyValuePut: @convention(c) (OpaquePointer?, cap_str, cap_str) -> cap_status = { _, key, value in
        server.request(.keyValuePut, fields: [bytes(key), bytes(value)]).0
    }

    private static let keyValueDelete: @convention(c) (OpaquePointer?, cap_str) -> cap_status = { _, key in
        server.request(.keyValueDelete, fields: [bytes(key)]).0
    }

    private static let describeCapabilities: @convention(c) (OpaquePointer?, UnsafeMutablePointer<cap_buffer>?) -> cap_status = { _, out in
        guard let out else { return CAP_INVALID_ARGUMENT }
        out.pointee = cap_buffer(data: nil, len: 0, release: nil, release_ctx: nil)
        let reply = server.request(.describeCapabilities, fields: [])
        return reply.0 == CAP_OK ? answer(reply, out) : reply.0
    }

    private static let reportHealth: @convention(c) (OpaquePointer?, cap_str, Int32, cap_str) -> cap_status = { _, candidate, state, reason in
        server.request(.reportHealth, argument: UInt32(bitPattern: state), fields: [bytes(candidate), bytes(reason)]).0
    }
}
