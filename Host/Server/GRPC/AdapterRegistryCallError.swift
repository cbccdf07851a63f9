import GRPCCore

/// Why one registry call failed, as the gRPC status the client sees. Messages
/// are written for the person reading the client's error.
enum AdapterRegistryCallError: Error, Sendable, Hashable, RPCErrorConvertible {
    /// A required field is empty.
    case missingField(String)
    /// `adapter_id` is not `domain:category:provider`.
    case malformedAdapterID(String)
    /// No such provider is loaded.
    case adapterNotFound(String)
    /// The call carried no `authorization` metadata.
    case missingCredentials(acceptsJWT: Bool)
    /// The call's `authorization` metadata is not `Bearer <the token>` (or a JWT).
    case wrongCredentials(acceptsJWT: Bool)
    /// The bearer JWT failed verification; the reason never quotes the token.
    case invalidJWT(String)
    /// A write (StoreAdapter, RemoveAdapter) to this host's read-only registry.
    case readOnly(method: String)

    var rpcErrorCode: RPCError.Code {
        switch self {
        case .missingField, .malformedAdapterID: .invalidArgument
        case .adapterNotFound: .notFound
        case .missingCredentials, .wrongCredentials, .invalidJWT: .unauthenticated
        case .readOnly: .unimplemented
        }
    }

    var rpcErrorMessage: String {
        switch self {
        case .missingField(let field):
            "\(field) is required: the adapter's id as domain:category:provider (e.g. adapter:notifier:mailgun)"
        case .malformedAdapterID(let id):
            "adapter_id '\(id)' is not an adapter id: expected domain:category:provider (e.g. adapter:notifier:mailgun)"
        case .adapterNotFound(let id):
            "no adapter '\(id)' is loaded on this host; ListAdapters shows the ones that are"
        case .missingCredentials(let acceptsJWT):
            "this registry requires a credential: send the metadata 'authorization: Bearer <token>' with the host's registry token"
                + (acceptsJWT ? " or an HS256 JWT signed with the registry's JWT secret" : "")
        case .wrongCredentials(let acceptsJWT):
            "the 'authorization' metadata is not 'Bearer <token>' with this host's registry token"
                + (acceptsJWT ? " nor a JWT" : "")
        case .invalidJWT(let reason):
            "the bearer JWT was refused: \(reason)"
        case .readOnly(let method):
            "\(method) is not served: this host's AdapterRegistry lists the providers it serves and is read-only; announce to an Oneiric registry instead"
        }
    }
}
