import CapPluginABI

/// A `cap_status` returned across the ABI, decoded. Unknown values are kept so
/// the operator sees exactly what a misbehaving plugin returned.
public enum PluginCallStatus: Sendable, Hashable, CustomStringConvertible {
    case ok
    case invalidArgument
    case notFound
    case unavailable
    case timeout
    case permission
    case rateLimited
    case `internal`
    case unimplemented
    case conflict
    /// A value outside ABI 1.0's table; the host treats it as INTERNAL.
    case unknown(Int32)

    /// Decodes a raw status.
    public init(raw: cap_status) {
        switch raw {
        case CAP_OK: self = .ok
        case CAP_INVALID_ARGUMENT: self = .invalidArgument
        case CAP_NOT_FOUND: self = .notFound
        case CAP_UNAVAILABLE: self = .unavailable
        case CAP_TIMEOUT: self = .timeout
        case CAP_PERMISSION: self = .permission
        case CAP_RATE_LIMITED: self = .rateLimited
        case CAP_INTERNAL: self = .internal
        case CAP_UNIMPLEMENTED: self = .unimplemented
        case CAP_CONFLICT: self = .conflict
        default: self = .unknown(raw)
        }
    }

    /// The raw value to hand back across the ABI (unknown values map to INTERNAL).
    public var raw: cap_status {
        switch self {
        case .ok: CAP_OK
        case .invalidArgument: CAP_INVALID_ARGUMENT
        case .notFound: CAP_NOT_FOUND
        case .unavailable: CAP_UNAVAILABLE
        case .timeout: CAP_TIMEOUT
        case .permission: CAP_PERMISSION
        case .rateLimited: CAP_RATE_LIMITED
        case .internal, .unknown: CAP_INTERNAL
        case .unimplemented: CAP_UNIMPLEMENTED
        case .conflict: CAP_CONFLICT
        }
    }

    /// The upper-case name used in messages and the API (`INVALID_ARGUMENT`).
    public var name: String {
        switch self {
        case .ok: "OK"
        case .invalidArgument: "INVALID_ARGUMENT"
        case .notFound: "NOT_FOUND"
        case .unavailable: "UNAVAILABLE"
        case .timeout: "TIMEOUT"
        case .permission: "PERMISSION"
        case .rateLimited: "RATE_LIMITED"
        case .internal: "INTERNAL"
        case .unimplemented: "UNIMPLEMENTED"
        case .conflict: "CONFLICT"
        case .unknown(let value): "INTERNAL (unknown status \(value))"
        }
    }

    public var description: String { name }

    /// Whether a failure with this status says something about the provider's
    /// health (and so feeds its score and breaker). A caller's bad argument does not.
    public var countsAgainstProvider: Bool {
        switch self {
        case .ok, .invalidArgument, .notFound, .permission, .conflict, .unimplemented: false
        case .unavailable, .timeout, .rateLimited, .internal, .unknown: true
        }
    }
}
