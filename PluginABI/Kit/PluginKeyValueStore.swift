import CapPluginABI

/// The plugin's durable key-value store, kept by the host (`kv_get`, `kv_put`, `kv_delete`).
///
/// Keys are at most 256 bytes and values at most 1 MiB. Every method throws
/// ``PluginError/unavailable(_:)`` when the host has no store (or is too old to offer one).
public struct PluginKeyValueStore: Sendable {
    let services: HostServicesView

    /// The value stored under `key`, or `nil` when there is none.
    public func get(_ key: String) throws(PluginError) -> [UInt8]? {
        guard let kvGet = services.kvGet else { throw Self.unavailable }
        var out = cap_buffer.empty
        let status = key.withCapStr { kvGet(services.host, $0, &out) }
        // Whatever the status, a filled buffer belongs to the host's allocator: release it once.
        defer { if let release = out.release { release(&out) } }
        switch PluginStatus(cValue: status) {
        case .ok:
            guard out.len > 0, let data = out.data else { return [] }
            return Array(UnsafeBufferPointer(start: data, count: out.len))
        case .notFound:
            return nil
        case let failure:
            throw PluginError(failure, "kv_get '\(key)' failed with \(failure)")
        }
    }

    /// Stores `value` under `key`, replacing any previous value.
    public func put(_ key: String, _ value: [UInt8]) throws(PluginError) {
        guard let kvPut = services.kvPut else { throw Self.unavailable }
        let status = key.withCapStr { key in value.withCapStr { kvPut(services.host, key, $0) } }
        if status != CAP_OK {
            let failure = PluginStatus(cValue: status)
            throw PluginError(failure, "kv_put '\(key)' failed with \(failure)")
        }
    }

    /// Removes `key`; succeeds whether or not it existed.
    public func delete(_ key: String) throws(PluginError) {
        guard let kvDelete = services.kvDelete else { throw Self.unavailable }
        let status = key.withCapStr { kvDelete(services.host, $0) }
        switch PluginStatus(cValue: status) {
        case .ok, .notFound:
            return
        case let failure:
            throw PluginError(failure, "kv_delete '\(key)' failed with \(failure)")
        }
    }

    private static var unavailable: PluginError {
        .unavailable("the host offers no key-value store")
    }
}
