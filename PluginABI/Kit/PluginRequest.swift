#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// One call the host routed to the plugin: which capability and method, the payload bytes and
/// the deadline.
///
/// The payload stays bytes (UTF-8 JSON): decode it with ``decode(_:)`` when you need structure,
/// and leave it as bytes on hot paths (turning it into a `String` costs ≈ 350 ns).
public struct PluginRequest: Sendable {
    /// The capability the call was routed to, shared with every request for it.
    let exported: ExportedCapability
    /// The method's position in ``capability``'s method table (its wire index).
    public let methodIndex: Int
    /// The method name, e.g. `"echo"`.
    public let method: String
    /// The request payload: UTF-8 JSON bytes as the caller sent them.
    public let payload: [UInt8]
    /// When the caller gives up; `nil` when the host set no deadline.
    public let deadline: PluginDeadline?
    /// The call's idempotency key (host service `call_idempotency_key`, ABI 1.1), or `nil` when
    /// it has none. A durable delivery is at least once: the same key arrives again after a
    /// failed attempt or a host restart, so a method with effects remembers the keys it served
    /// (in ``PluginContext/keyValueStore``, say) and skips a repeat. A key is unique per target
    /// and method only: a plugin with several capabilities or methods keeps its keys per
    /// capability and method.
    public let idempotencyKey: String?

    /// A request as the kit builds it from a C `invoke`.
    init(exported: ExportedCapability, methodIndex: Int, payload: [UInt8], deadline: PluginDeadline?,
         idempotencyKey: String?) {
        self.exported = exported
        self.methodIndex = methodIndex
        self.method = exported.methodNames[methodIndex]
        self.payload = payload
        self.deadline = deadline
        self.idempotencyKey = idempotencyKey
    }

    /// A request for unit-testing a plugin's ``CapabilityPlugin/invoke(_:)`` without the C layer.
    /// `method` need not be declared by `capability` (to test the unimplemented path); then
    /// ``methodIndex`` is -1.
    public init(capability: Capability, capabilityIndex: Int = 0, method: String,
                payload: [UInt8] = [], deadline: PluginDeadline? = nil, idempotencyKey: String? = nil) {
        self.exported = ExportedCapability(capability, index: capabilityIndex)
        self.methodIndex = capability.methods.firstIndex { $0.name == method } ?? -1
        self.method = method
        self.payload = payload
        self.deadline = deadline
        self.idempotencyKey = idempotencyKey
    }

    /// The capability the call was routed to (domain, category, provider, methods).
    public var capability: Capability { exported.capability }

    /// The capability's position in the manifest's capability table (its wire index).
    public var capabilityIndex: Int { exported.index }

    /// The payload decoded as UTF-8 text (invalid sequences are repaired).
    public var text: String { String(decoding: payload, as: UTF8.self) }

    /// Decodes the JSON payload; throws ``PluginError/invalidArgument(_:)`` with a message that
    /// names the method and the offending field when the payload does not fit `type`.
    public func decode<Payload: Decodable>(_ type: Payload.Type = Payload.self) throws(PluginError) -> Payload {
        do {
            return try JSONDecoder().decode(Payload.self, from: Data(payload))
        } catch let error as DecodingError {
            throw PluginError.invalidArgument("\(method): \(error.operatorMessage)")
        } catch {
            throw PluginError.invalidArgument("\(method): payload is not valid JSON: \(error)")
        }
    }

    /// Throws ``PluginError/timeout`` once the deadline has passed; does nothing without one.
    public func checkDeadline() throws(PluginError) {
        try deadline?.check()
    }
}
