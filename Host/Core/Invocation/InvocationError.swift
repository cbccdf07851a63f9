/// Why a call did not produce a response: a stable code, a message for the
/// operator, and the provider that answered when there was one.
public struct InvocationError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Stable error codes (the API's `code` field).
    public enum Code: String, Sendable, Hashable, Codable {
        case unknownSlot = "unknown_slot"
        case unknownProvider = "unknown_provider"
        case noEligibleProvider = "no_eligible_provider"
        case unknownMethod = "unknown_method"
        case providerExcluded = "provider_excluded"
        case invalidArgument = "invalid_argument"
        case notFound = "not_found"
        case unavailable = "unavailable"
        case timeout = "timeout"
        case permission = "permission"
        case rateLimited = "rate_limited"
        case `internal` = "internal"
        case unimplemented = "unimplemented"
        case conflict = "conflict"
        case responseTooLarge = "response_too_large"
        case callDepthExceeded = "call_depth_exceeded"
        case overloaded = "overloaded"
    }

    public let code: Code
    public let message: String
    /// The provider that served (and failed) the call, when one did.
    public let provider: CapabilityID?
    /// The plugin's own status, when the failure came from the plugin.
    public let pluginStatus: PluginCallStatus?
    /// Why the payload was refused before the plugin saw it, when it was: not
    /// JSON or against the leased provider's input schema (`invalidArgument`),
    /// or that schema cannot be used (`internal`).
    public let payloadProblem: SchemaValidationError?

    public init(code: Code, message: String, provider: CapabilityID? = nil, pluginStatus: PluginCallStatus? = nil,
                payloadProblem: SchemaValidationError? = nil) {
        self.code = code
        self.message = message
        self.provider = provider
        self.pluginStatus = pluginStatus
        self.payloadProblem = payloadProblem
    }

    /// The status to hand a plugin that made this call through the host API.
    public var status: PluginCallStatus {
        if let pluginStatus { return pluginStatus }
        switch code {
        case .unknownSlot, .unknownProvider, .unknownMethod, .notFound: return .notFound
        case .invalidArgument: return .invalidArgument
        case .noEligibleProvider, .providerExcluded, .unavailable, .callDepthExceeded, .overloaded: return .unavailable
        case .timeout: return .timeout
        case .permission: return .permission
        case .rateLimited: return .rateLimited
        case .internal, .responseTooLarge: return .internal
        case .unimplemented: return .unimplemented
        case .conflict: return .conflict
        }
    }

    static func from(status: PluginCallStatus, message: String?, provider: CapabilityID, method: String) -> InvocationError {
        let code: Code = switch status {
        case .ok: .internal
        case .invalidArgument: .invalidArgument
        case .notFound: .notFound
        case .unavailable: .unavailable
        case .timeout: .timeout
        case .permission: .permission
        case .rateLimited: .rateLimited
        case .internal, .unknown: .internal
        case .unimplemented: .unimplemented
        case .conflict: .conflict
        }
        var text = "\(provider) \(method) returned \(status.name)"
        if case .unknown(let value) = status {
            text = "\(provider) \(method) returned unknown status \(value) (ABI 1.0 defines 0...\(PluginCallStatusTable.maximum)); treated as INTERNAL"
        }
        if let message, !message.isEmpty { text += ": \(message)" }
        return InvocationError(code: code, message: text, provider: provider, pluginStatus: status)
    }

    public var description: String { "\(code.rawValue): \(message)" }
}

/// Constants of the status table.
enum PluginCallStatusTable {
    static let maximum = 9
}
