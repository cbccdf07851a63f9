/// Why the gRPC registry stopped serving, or never served.
public enum AdapterRegistryServerError: Error, Sendable, CustomStringConvertible {
    /// The socket could not be bound or the transport failed; `reason` is the
    /// transport's own account.
    case couldNotServe(address: String, reason: String)
    /// `run()` was called while running or after it ran; a server runs once.
    case alreadyStarted
    /// The server is not listening (it stopped, or was shut down before it ran).
    case notListening

    public var description: String {
        switch self {
        case .couldNotServe(let address, let reason):
            "the gRPC registry could not serve on \(address): \(reason)"
        case .alreadyStarted:
            "this gRPC registry server has already run; create a new AdapterRegistryServer to serve again"
        case .notListening:
            "the gRPC registry is not listening: it has stopped or was shut down before it started"
        }
    }
}
