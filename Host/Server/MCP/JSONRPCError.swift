import CapHostCore

/// A JSON-RPC 2.0 error object: the protocol-level failures of a request
/// (a tool that runs and fails is not one: that is a result with `isError`).
public struct JSONRPCError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The standard codes this server uses.
    public enum Code: Int, Sendable {
        case parseError = -32700
        case invalidRequest = -32600
        case methodNotFound = -32601
        case invalidParams = -32602
        case internalError = -32603
    }

    public let code: Int
    public let message: String
    /// Extra facts (`{"path": "/to", "expected": …}`), or nil.
    public let data: JSONValue?

    /// An error with a standard code, a message and optional data.
    public init(code: Code, message: String, data: JSONValue? = nil) {
        self.code = code.rawValue
        self.message = message
        self.data = data
    }

    static func parseError(_ error: JSONParseError) -> JSONRPCError {
        JSONRPCError(code: .parseError, message: "Parse error: \(error)",
                     data: ["line": .number(JSONNumber(error.line)), "column": .number(JSONNumber(error.column)),
                            "offset": .number(JSONNumber(error.offset))])
    }

    static func invalidRequest(_ detail: String) -> JSONRPCError {
        JSONRPCError(code: .invalidRequest, message: "Invalid request: \(detail)")
    }

    static func methodNotFound(_ method: String) -> JSONRPCError {
        JSONRPCError(code: .methodNotFound, message: "Method not found: '\(method)' (this server offers initialize, ping, tools/list and tools/call)")
    }

    static func invalidParams(_ detail: String, data: JSONValue? = nil) -> JSONRPCError {
        JSONRPCError(code: .invalidParams, message: "Invalid params: \(detail)", data: data)
    }

    var json: JSONValue {
        var members: [String: JSONValue] = ["code": .number(JSONNumber(code)), "message": .string(message)]
        if let data { members["data"] = data }
        return .object(members)
    }

    public var description: String { "\(code) \(message)" }
}
