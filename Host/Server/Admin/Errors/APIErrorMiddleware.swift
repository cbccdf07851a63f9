import Hummingbird
import Logging

/// Turns every error that reaches the edge into the API's JSON shape: routes
/// that do not exist, methods a route does not take, and anything unexpected.
struct APIErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    /// The largest request body the host accepts (`http.max_request_bytes`), named when one is refused.
    let maxRequestBytes: Int

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            throw apiError(error, request: request, context: context)
        }
    }

    /// What the API answers for `error`, thrown while serving `request`.
    func apiError(_ error: any Error, request: Request, context: Context) -> APIError {
        switch error {
        case let error as APIError:
            return error
        case let error as HTTPError:
            return translate(error, request: request)
        case let error as any HTTPResponseError where error.status == .contentTooLarge:
            // Hummingbird's body collection refuses with NIO's NIOTooManyBytesError.
            return Self.tooLarge(limit: maxRequestBytes)
        case let error as any HTTPResponseError:
            return APIError(error.status, code: "http_\(error.status.code)", message: "\(error)")
        default:
            context.logger.error("unexpected error on \(request.method) \(request.uri.path): \(error)")
            return APIError(.internalServerError, code: "internal", message: "the host failed to answer \(request.method) \(request.uri.path): \(error)")
        }
    }

    private func translate(_ error: HTTPError, request: Request) -> APIError {
        switch error.status {
        case .notFound:
            return APIError(.notFound, code: "no_route",
                            message: "no route \(request.method) \(request.uri.path); the API lives under /v1 (see GET /v1/capabilities), plus /healthz, /readyz, /metrics and /mcp")
        case .methodNotAllowed:
            return APIError(.methodNotAllowed, code: "method_not_allowed", message: "\(request.method) is not allowed on \(request.uri.path)",
                            headers: error.headers)
        case .contentTooLarge:
            return Self.tooLarge(limit: maxRequestBytes)
        default:
            return APIError(error.status, code: "http_\(error.status.code)", message: error.body ?? "\(error.status)")
        }
    }

    /// The answer to a body over the limit: the limit and the setting that raises it.
    static func tooLarge(limit: Int) -> APIError {
        APIError(.contentTooLarge, code: "payload_too_large",
                 message: "the request body is larger than the host accepts (\(limit) bytes; raise http.max_request_bytes in caphost.yaml)",
                 extra: ["limit": "\(limit)", "setting": "http.max_request_bytes"])
    }
}
