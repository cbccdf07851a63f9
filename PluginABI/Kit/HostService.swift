/// A service of the host's `cap_host_api` table, for ``PluginContext/offers(_:)``.
///
/// A host built against an older header may lack the newer services; the kit checks
/// `struct_size` (the header's `CAP_HOST_HAS`) before every use.
public enum HostService: Sendable, Hashable, CaseIterable {
    /// `log`: ``PluginContext/log(_:_:)``.
    case log
    /// `set_error`: how thrown errors reach the host.
    case setError
    /// `metric`: ``PluginContext/metric(_:_:labels:value:)``.
    case metric
    /// `call`: ``PluginContext/call(target:method:payload:)``.
    case call
    /// `kv_get`, `kv_put` and `kv_delete`: ``PluginContext/keyValueStore``.
    case keyValueStore
    /// `call_idempotency_key` (ABI 1.1): ``PluginRequest/idempotencyKey``.
    case idempotencyKey
    /// `describe_capabilities` (ABI 1.2): ``PluginContext/capabilityGraph()``.
    case capabilityGraph
    /// `report_health` (ABI 1.3): ``PluginContext/reportHealth(of:_:reason:)``.
    case reportHealth
}
