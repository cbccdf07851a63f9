#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import CapPluginABI

/// What an instance gets from the host at `create`: its configuration and the host's services
/// (log, metrics, calls to other capabilities, a key-value store).
///
/// Keep it for the instance's lifetime; every method is safe from any thread. A service the
/// host does not offer (an older host, or a NULL entry) is skipped by ``log(_:_:)`` and
/// ``metric(_:_:labels:value:)`` and throws ``PluginError/unavailable(_:)`` from the others;
/// ask first with ``offers(_:)``.
public final class PluginContext: Sendable {
    /// The configuration as the host passed it: JSON text bytes, `{}` when there is none.
    public let config: [UInt8]
    /// The instance's durable key-value store.
    public let keyValueStore: PluginKeyValueStore
    let services: HostServicesView

    init(config: [UInt8], services: HostServicesView) {
        self.config = config
        self.services = services
        self.keyValueStore = PluginKeyValueStore(services: services)
    }

    /// A context with no host behind it, for unit-testing a plugin type directly: log lines and
    /// metrics go nowhere, and calls and the key-value store throw ``PluginError/unavailable(_:)``.
    public static func standalone(config: String = "{}") -> PluginContext {
        PluginContext(config: Array(config.utf8), services: HostServicesView(api: nil, host: nil))
    }

    /// The host's ABI version (`host_api->abi_major`, `abi_minor`); `(0, 0)` standalone.
    public var hostABIVersion: (major: UInt16, minor: UInt16) { (services.abiMajor, services.abiMinor) }

    /// Whether the host offers `service` (the header's `CAP_HOST_HAS`, plus a non-NULL entry).
    public func offers(_ service: HostService) -> Bool {
        switch service {
        case .log: services.log != nil
        case .setError: services.setError != nil
        case .metric: services.metric != nil
        case .call: services.call != nil
        case .keyValueStore: services.kvGet != nil && services.kvPut != nil && services.kvDelete != nil
        case .idempotencyKey: services.callIdempotencyKey != nil
        case .capabilityGraph: services.describeCapabilities != nil
        case .reportHealth: services.reportHealth != nil
        }
    }

    /// The configuration decoded from JSON; an empty configuration reads as `{}`. Throws
    /// ``PluginError/invalidArgument(_:)`` naming the offending field.
    public func decodeConfig<Config: Decodable>(_ type: Config.Type = Config.self) throws(PluginError) -> Config {
        let text = config.isEmpty ? Array("{}".utf8) : config
        do {
            return try JSONDecoder().decode(Config.self, from: Data(text))
        } catch let error as DecodingError {
            throw PluginError.invalidArgument("config: \(error.operatorMessage)")
        } catch {
            throw PluginError.invalidArgument("config is not valid JSON: \(error)")
        }
    }

    /// Writes one log line attributed to this instance.
    public func log(_ level: PluginLogLevel, _ message: String) {
        guard let log = services.log else { return }
        message.withCapStr { log(services.host, level.rawValue, $0) }
    }

    /// Records a metric. `name` matches `^[a-z_][a-z0-9_]*$`, as do label keys; the host drops
    /// (and logs once) anything else.
    ///
    /// ```swift
    /// context.metric(.counter, "echo_calls_total", labels: ["method": "echo"], value: 1)
    /// ```
    public func metric(_ kind: PluginMetricKind, _ name: String,
                       labels: KeyValuePairs<String, String> = [:], value: Double) {
        guard let metric = services.metric else { return }
        guard !labels.isEmpty else {
            name.withCapStr { metric(services.host, kind.rawValue, $0, nil, 0, value) }
            return
        }
        // Lay every label string out in one buffer, then point the cap_labels into it.
        var text: [UInt8] = []
        var ranges: [(key: Range<Int>, value: Range<Int>)] = []
        for (key, value) in labels {
            let keyStart = text.count
            text.append(contentsOf: key.utf8)
            let valueStart = text.count
            text.append(contentsOf: value.utf8)
            ranges.append((keyStart..<valueStart, valueStart..<text.count))
        }
        text.withUnsafeBufferPointer { storage in
            let cLabels = ranges.map { range in
                cap_label(key: cap_str(UnsafeBufferPointer(rebasing: storage[range.key])),
                          value: cap_str(UnsafeBufferPointer(rebasing: storage[range.value])))
            }
            cLabels.withUnsafeBufferPointer { labelTable in
                name.withCapStr { metric(services.host, kind.rawValue, $0, labelTable.baseAddress, labelTable.count, value) }
            }
        }
    }

    /// Invokes another capability through the host's resolver and returns its response bytes.
    ///
    /// `target` is `"domain:category"` (the slot's current winner) or `"domain:category:provider"`.
    /// Inside ``CapabilityPlugin/invoke(_:)`` and ``CapabilityPlugin/health()`` (and their child
    /// tasks) the call being served is passed as the parent, so the nested call inherits its
    /// deadline; from an unstructured task, outside a call, or under a task executor preference of
    /// your own, the parent is NULL. The host call is synchronous: it runs on the calling thread.
    /// A failure throws a ``PluginError`` with the status the host returned (`CAP_UNAVAILABLE`
    /// when nesting is too deep) and the callee's reason from the host's error document.
    public func call(target: String, method: String, payload: [UInt8] = []) async throws(PluginError) -> [UInt8] {
        guard let call = services.call else {
            throw PluginError.unavailable("the host does not offer calls to other capabilities")
        }
        var out = cap_buffer.empty
        let status = Self.withParentCall { parent in
            target.withCapStr { cTarget in
                method.withCapStr { cMethod in
                    payload.withCapStr { cPayload in
                        call(services.host, parent, cTarget, cMethod, cPayload, &out)
                    }
                }
            }
        }
        // The buffer is the host's: copy it, then release it exactly once (also on failure,
        // should a host fill it then).
        defer { if let release = out.release { release(&out) } }
        guard status == CAP_OK else {
            let failure = PluginStatus(cValue: status)
            var message = "call to \(target) method '\(method)' failed with \(Self.describe(status))"
            if out.len > 0, let data = out.data,
               let document = try? JSONDecoder().decode(HostCallErrorDocument.self, from: Data(UnsafeBufferPointer(start: data, count: out.len))) {
                message += ": \(document.message)"
            }
            throw PluginError(failure == .ok ? .internal : failure, message)
        }
        guard out.len > 0, let data = out.data else { return [] }
        return Array(UnsafeBufferPointer(start: data, count: out.len))
    }

    /// The host's capability graph as it is now (host service `describe_capabilities`, ABI 1.2):
    /// every slot, its candidates and the active binding.
    ///
    /// Throws ``PluginError/unavailable(_:)`` from a host older than 1.2, standalone, and from
    /// `init` (the host serves the graph once the instance is registered).
    public func capabilityGraph() throws(PluginError) -> CapabilityGraph {
        guard let describe = services.describeCapabilities else {
            throw PluginError.unavailable("the host does not offer describe_capabilities (ABI 1.2; host speaks \(services.abiMajor).\(services.abiMinor))")
        }
        var out = cap_buffer.empty
        let status = describe(services.host, &out)
        defer { if let release = out.release { release(&out) } }
        guard status == CAP_OK else {
            throw PluginError(PluginStatus(cValue: status) == .ok ? .internal : PluginStatus(cValue: status),
                              "describe_capabilities failed with \(Self.describe(status))")
        }
        let bytes = out.len > 0 && out.data != nil ? Data(UnsafeBufferPointer(start: out.data, count: out.len)) : Data()
        do {
            return try JSONDecoder().decode(CapabilityGraph.self, from: bytes)
        } catch let error as DecodingError {
            throw PluginError(.internal, "describe_capabilities returned a document the kit cannot read: \(error.operatorMessage)")
        } catch {
            throw PluginError(.internal, "describe_capabilities returned invalid JSON: \(error)")
        }
    }

    /// Runs `body` with the parent `cap_call` of the invocation this task serves, if any.
    private static func withParentCall<Result>(_ body: (OpaquePointer?) -> Result) -> Result {
        guard let invocation = BlockingInvocation.current else { return body(nil) }
        return invocation.withParentCall(body)
    }

    /// The status's header name, or the raw value for one the header does not define.
    private static func describe(_ status: cap_status) -> String {
        PluginStatus(rawValue: status).map(\.description) ?? "unknown status \(status)"
    }
}

/// The error document the host puts in `*out` when a host->call fails.
private struct HostCallErrorDocument: Decodable {
    let code: String
    let message: String
}
