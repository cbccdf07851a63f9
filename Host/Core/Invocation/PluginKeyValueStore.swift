/// Durable per-plugin key-value state behind the host services `kv_get`,
/// `kv_put` and `kv_delete`. Without one the services answer UNAVAILABLE.
public protocol PluginKeyValueStore: Sendable {
    func value(plugin: String, key: [UInt8]) throws -> [UInt8]?
    func store(plugin: String, key: [UInt8], value: [UInt8]) throws
    func delete(plugin: String, key: [UInt8]) throws
}
