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
    case missingCredentials
    /// The call's `authorization` metadata is not `Bearer <the token>`.
    case wrongCredentials

    var rpcErrorCode: RPCError.Code {
        switch self {
        case .missingField, .malformedAdapterID: .invalidArgument
        case .adapterNotFound: .notFound
        case .missingCredentials, .wrongCredentials: .unauthenticated
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
        case .missingCredentials:
            "this registry requires a token: send the metadata 'authorization: Bearer <token>' with the host's registry token"
        case .wrongCredentials:
            "the 'authorization' metadata is not 'Bearer <token>' with this host's registry token"
        }
    }
}
