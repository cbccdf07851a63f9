#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The body a plugin returns from ``CapabilityPlugin/invoke(_:)``: bytes, by convention UTF-8 JSON.
///
/// The kit copies the bytes once into a `cap_buffer` whose release function frees exactly that
/// copy; an ``empty`` response hands the host no buffer at all.
public struct PluginResponse: Sendable, Hashable {
    /// The response body.
    public let bytes: [UInt8]

    /// A response with these bytes.
    public init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// A response with these bytes (the payload itself, for an echo).
    public static func bytes(_ bytes: [UInt8]) -> PluginResponse { PluginResponse(bytes: bytes) }

    /// A response with the UTF-8 bytes of `text` (typically JSON you formatted yourself).
    public static func text(_ text: String) -> PluginResponse { PluginResponse(bytes: Array(text.utf8)) }

    /// No body.
    public static var empty: PluginResponse { PluginResponse(bytes: []) }

    /// `value` encoded as compact JSON with sorted keys. Throws ``PluginError/internal(_:)`` if
    /// the value cannot be encoded (a bug in the plugin, not the caller's fault).
    public static func json(_ value: some Encodable) throws(PluginError) -> PluginResponse {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        do {
            return PluginResponse(bytes: Array(try encoder.encode(value)))
        } catch {
            throw PluginError.internal("could not encode the response as JSON: \(error)")
        }
    }
}
