import CapHostCore

/// Checks an invoke payload against the target method's input schema before
/// the plugin sees it (the only place the host looks inside a payload).
enum PayloadValidation {
    static func validate(_ payload: [UInt8], for reference: CapabilityReference, method: String, host: CapabilityHost) throws {
    }
}
