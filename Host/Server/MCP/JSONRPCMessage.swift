import CapHostCore

/// One incoming JSON-RPC 2.0 message, classified (MCP uses requests,
/// notifications and responses; never positional params).
enum JSONRPCMessage: Sendable {
    /// A call that needs an answer with the same `id` (a string or a number).
    case request(id: JSONValue, method: String, params: [String: JSONValue])
    /// A one-way message: never answered.
    case notification(method: String, params: [String: JSONValue])
    /// The client's answer to a server request (this server sends none, so it is dropped).
    case response(id: JSONValue)
    /// Not a valid message; `id` is the request's id when it could be read (else null).
    case invalid(id: JSONValue, error: JSONRPCError)

    /// Classifies one parsed message (an element of a batch, or the whole body).
    init(_ value: JSONValue) {
        guard case .object(let members) = value else {
            self = .invalid(id: .null, error: .invalidRequest("expected a JSON-RPC message object, found \(value.summary)"))
            return
        }
        let id = members["id"]
        let usableID: JSONValue = switch id {
        case .string?, .number?: id!
        default: .null
        }
        guard members["jsonrpc"] == .string("2.0") else {
            self = .invalid(id: usableID, error: .invalidRequest("\"jsonrpc\" must be \"2.0\", found \(members["jsonrpc"]?.summary ?? "nothing")"))
            return
        }
        guard let methodValue = members["method"] else {
            if members["result"] != nil || members["error"] != nil, let id {
                self = .response(id: id)
            } else {
                self = .invalid(id: usableID, error: .invalidRequest("a message needs \"method\" (request or notification) or \"result\"/\"error\" (response)"))
            }
            return
        }
        guard let method = methodValue.stringValue else {
            self = .invalid(id: usableID, error: .invalidRequest("\"method\" must be a string, found \(methodValue.summary)"))
            return
        }
        var params: [String: JSONValue] = [:]
        switch members["params"] {
        case nil, .null?: break
        case .object(let object)?: params = object
        case let other?:
            let error = JSONRPCError.invalidParams("\"params\" must be an object, found \(other.summary)")
            self = id == nil ? .notification(method: method, params: [:]) : .invalid(id: usableID, error: error)
            return
        }
        guard let id else {
            self = .notification(method: method, params: params)
            return
        }
        guard usableID != .null else {
            self = .invalid(id: .null, error: .invalidRequest("\"id\" must be a string or an integer, found \(id.summary)"))
            return
        }
        self = .request(id: id, method: method, params: params)
    }

    /// True for a request (a message that will be answered).
    var expectsReply: Bool {
        switch self {
        case .request, .invalid: true
        case .notification, .response: false
        }
    }

    var method: String? {
        switch self {
        case .request(_, let method, _), .notification(let method, _): method
        case .response, .invalid: nil
        }
    }
}
