/// An error a plugin throws to fail a call with a specific status and an operator-facing message.
///
/// PluginKit turns a thrown `PluginError` into its ``status`` and passes ``message`` to the host
/// through `set_error`. Any other error a plugin throws becomes ``PluginStatus/internal`` with the
/// error's description as the message, so nothing ever unwinds across the C boundary.
///
/// ```swift
/// throw PluginError.invalidArgument("payload needs a \"text\" string")
/// throw PluginError.unavailable          // a default message
/// ```
public struct PluginError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The status the call fails with. Never ``PluginStatus/ok`` in practice; if it is, the
    /// kit reports ``PluginStatus/internal`` instead.
    public var status: PluginStatus
    /// Human-readable text for the operator; the host copies it into its error record.
    public var message: String

    /// Creates an error with an explicit status and message.
    public init(_ status: PluginStatus, _ message: String) {
        self.status = status
        self.message = message
    }

    /// `"CAP_NOT_FOUND: no such user"`.
    public var description: String { "\(status): \(message)" }

    /// The payload or config is malformed; retrying will not help.
    public static func invalidArgument(_ message: String) -> PluginError { PluginError(.invalidArgument, message) }
    /// The thing the request names does not exist.
    public static func notFound(_ message: String) -> PluginError { PluginError(.notFound, message) }
    /// Temporarily unable to serve (peer down, not ready).
    public static func unavailable(_ message: String) -> PluginError { PluginError(.unavailable, message) }
    /// The deadline passed before the work finished.
    public static func timeout(_ message: String) -> PluginError { PluginError(.timeout, message) }
    /// Not allowed: bad credentials, forbidden, wrong region.
    public static func permission(_ message: String) -> PluginError { PluginError(.permission, message) }
    /// A quota or rate limit was hit.
    public static func rateLimited(_ message: String) -> PluginError { PluginError(.rateLimited, message) }
    /// A bug or unexpected state inside the plugin.
    public static func `internal`(_ message: String) -> PluginError { PluginError(.internal, message) }
    /// The operation conflicts with current state.
    public static func conflict(_ message: String) -> PluginError { PluginError(.conflict, message) }
    /// The method is not implemented. Inside `invoke`, prefer `.unimplemented(request)`, which
    /// names the method and the capability for you.
    public static func unimplemented(_ message: String) -> PluginError { PluginError(.unimplemented, message) }

    /// `CAP_UNIMPLEMENTED` naming the request's method and capability, for the `default:` branch
    /// of an `invoke` that switches on ``PluginRequest/method``.
    public static func unimplemented(_ request: PluginRequest) -> PluginError {
        PluginError(.unimplemented,
                    "method '\(request.method)' is not implemented by capability '\(request.capability.id)'")
    }

    /// Not found, with a generic message.
    public static var notFound: PluginError { .notFound("not found") }
    /// Unavailable, with a generic message.
    public static var unavailable: PluginError { .unavailable("temporarily unavailable") }
    /// Timed out, with a generic message.
    public static var timeout: PluginError { .timeout("the deadline passed before the call finished") }
    /// Permission denied, with a generic message.
    public static var permission: PluginError { .permission("permission denied") }
    /// Rate limited, with a generic message.
    public static var rateLimited: PluginError { .rateLimited("rate limited; retry after a back-off") }
    /// Internal error, with a generic message.
    public static var `internal`: PluginError { .internal("internal error in the plugin") }
    /// Conflict, with a generic message.
    public static var conflict: PluginError { .conflict("the operation conflicts with the current state") }
}
