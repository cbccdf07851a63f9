import CapPluginABI

/// The status of a call across the plugin boundary: Swift's view of the header's `cap_status`.
///
/// Raw values are the `CAP_*` constants of `caphost_plugin.h`, so a status converts to and
/// from the C value without a table.
public enum PluginStatus: Int32, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// `CAP_OK`: success.
    case ok = 0
    /// `CAP_INVALID_ARGUMENT`: the payload or config is malformed; retrying will not help.
    case invalidArgument = 1
    /// `CAP_NOT_FOUND`: the thing the request names does not exist.
    case notFound = 2
    /// `CAP_UNAVAILABLE`: temporarily unable to serve; retrying later may help.
    case unavailable = 3
    /// `CAP_TIMEOUT`: the call's deadline passed before it finished.
    case timeout = 4
    /// `CAP_PERMISSION`: not allowed (bad credentials, forbidden, wrong region).
    case permission = 5
    /// `CAP_RATE_LIMITED`: a quota or rate limit was hit; retry after a back-off.
    case rateLimited = 6
    /// `CAP_INTERNAL`: a bug or unexpected state inside the plugin.
    case `internal` = 7
    /// `CAP_UNIMPLEMENTED`: the method is not implemented by this capability.
    case unimplemented = 8
    /// `CAP_CONFLICT`: the operation conflicts with current state.
    case conflict = 9

    /// The status as the C ABI spells it (`cap_status`).
    public var cValue: cap_status { rawValue }

    /// Reads a C status; any value the header does not define becomes `.internal`,
    /// as the header tells the host to treat it.
    public init(cValue: cap_status) {
        self = PluginStatus(rawValue: cValue) ?? .internal
    }

    /// The header's name for the status, e.g. `CAP_NOT_FOUND`.
    public var description: String {
        switch self {
        case .ok: "CAP_OK"
        case .invalidArgument: "CAP_INVALID_ARGUMENT"
        case .notFound: "CAP_NOT_FOUND"
        case .unavailable: "CAP_UNAVAILABLE"
        case .timeout: "CAP_TIMEOUT"
        case .permission: "CAP_PERMISSION"
        case .rateLimited: "CAP_RATE_LIMITED"
        case .internal: "CAP_INTERNAL"
        case .unimplemented: "CAP_UNIMPLEMENTED"
        case .conflict: "CAP_CONFLICT"
        }
    }
}
