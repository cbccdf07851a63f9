/// Why a delivery could not be journaled (or waited for): a stable code and a message for the caller.
public struct DeliveryError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Stable error codes (the API's `code` field).
    public enum Code: String, Sendable, Hashable, Codable {
        /// The request is malformed (method name, key length, payload size); nothing was journaled.
        case invalidArgument = "invalid_argument"
        /// The engine is stopping or stopped; nothing was journaled.
        case unavailable = "unavailable"
        /// The state database failed; nothing was journaled.
        case `internal` = "internal"
    }

    public let code: Code
    public let message: String

    /// An error with `code` and a `message` for the caller.
    public init(code: Code, message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code.rawValue): \(message)" }
}
