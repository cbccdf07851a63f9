import HTTPTypes
import Hummingbird

/// Applies `RequestOriginPolicy` to every request before anything else runs
/// (the token check included): a browser-borne request is refused before it
/// can reach a route.
struct RequestOriginMiddleware<Context: RequestContext>: RouterMiddleware {
    let policy: RequestOriginPolicy

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        try check(request)
        return try await next(request, context)
    }

    /// Throws the policy's refusal, if it refuses the request.
    func check(_ request: Request) throws(APIError) {
        let headers = request.headers
        let hasBody = (headers.value(of: .contentLength).map { $0 != "0" } ?? false) || headers.value(of: .transferEncoding) != nil
        if let refusal = policy.refusal(host: request.head.authority, origin: headers.value(of: .origin),
                                        method: request.method.rawValue, contentType: headers.value(of: .contentType), hasBody: hasBody) {
            throw APIError(HTTPResponse.Status(code: refusal.status), code: refusal.code, message: refusal.message)
        }
    }
}
