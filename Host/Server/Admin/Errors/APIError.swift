import CapHostCore
import Foundation
import Hummingbird

/// An error the admin API answers with: `{"code", "message", …extra}` and the
/// HTTP status that fits it.
public struct APIError: Error, HTTPResponseError, Sendable, CustomStringConvertible {
    public let status: HTTPResponse.Status
    /// A stable snake_case code clients can branch on.
    public let code: String
    /// A sentence for the operator: what, where, expected vs found.
    public let message: String
    /// Further fields (`provider`, `path`, `expected`, `found` …).
    public let extra: [String: String]
    public let headers: HTTPFields

    public init(_ status: HTTPResponse.Status, code: String, message: String, extra: [String: String] = [:],
                headers: HTTPFields = [:]) {
        self.status = status
        self.code = code
        self.message = message
        self.extra = extra
        self.headers = headers
    }

    public var description: String { "\(status.code) \(code): \(message)" }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var object: [String: String] = extra
        object["code"] = code
        object["message"] = message
        var headers = self.headers
        headers[.contentType] = "application/json; charset=utf-8"
        let body = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: body)))
    }
}

extension APIError {
    /// The API's answer to a failed call.
    init(_ error: InvocationError) {
        let status: HTTPResponse.Status = switch error.code {
        case .unknownSlot, .unknownProvider, .unknownMethod, .notFound: .notFound
        case .invalidArgument: .badRequest
        case .noEligibleProvider, .providerExcluded, .unavailable, .overloaded, .callDepthExceeded: .serviceUnavailable
        case .timeout: .gatewayTimeout
        case .permission: .forbidden
        case .rateLimited: .tooManyRequests
        case .conflict: .conflict
        case .unimplemented: .notImplemented
        case .internal, .responseTooLarge: .internalServerError
        }
        var extra: [String: String] = [:]
        if let provider = error.provider { extra["provider"] = provider.description }
        if let status = error.pluginStatus { extra["pluginStatus"] = "\(status)" }
        guard let problem = error.payloadProblem else {
            self.init(status, code: error.code.rawValue, message: error.message, extra: extra)
            return
        }
        // A refused payload: where it broke (line and column, or the schema path).
        switch problem {
        case .invalidJSON(let parse):
            extra["line"] = "\(parse.line)"
            extra["column"] = "\(parse.column)"
        case .violations(let violations):
            if let first = violations.first {
                extra["path"] = first.path
                extra["expected"] = first.expected
                extra["found"] = first.found
            }
        case .invalidSchema:
            break
        }
        self.init(status, code: problem.code, message: error.message, extra: extra)
    }

    /// The API's answer to a refused lifecycle operation.
    init(_ error: LifecycleError) {
        let status: HTTPResponse.Status = switch error.code {
        case .unknownSlot, .unknownProvider, .unknownPlugin: .notFound
        default: .conflict
        }
        self.init(status, code: error.code.rawValue, message: error.message)
    }

    static func badRequest(_ code: String, _ message: String, extra: [String: String] = [:]) -> APIError {
        APIError(.badRequest, code: code, message: message, extra: extra)
    }
}
