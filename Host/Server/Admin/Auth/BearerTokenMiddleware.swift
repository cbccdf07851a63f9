import Hummingbird

/// Lets a request through without `Authorization: Bearer <token>` only when its
/// path, normalised the way the router reads it, is one of the public routes
/// (`PublicRoutes`); everything else needs the token. Deny by default: a
/// route added later is protected without anyone remembering to protect it,
/// and `//v1/…`, `/v1/./…` or `/V1` cannot slip past a prefix test because
/// there is none. A path that does not exist answers 401 too: nothing about
/// the API is learnt without the token.
struct BearerTokenMiddleware<Context: RequestContext>: RouterMiddleware {
    let token: APIToken

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if PublicRoutes.isPublic(path: request.uri.path, method: request.method) { return try await next(request, context) }
        guard let header = request.headers.value(of: .authorization) else {
            throw unauthorized("missing bearer token: send 'Authorization: Bearer <token>' (the operator finds it in the file api-token of the host's state directory)")
        }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else {
            throw unauthorized("the Authorization header must be 'Bearer <token>', found scheme '\(parts.first.map { String($0.prefix(32)) } ?? "")'")
        }
        guard token.matches(parts[1].drop { $0 == " " }) else {
            throw unauthorized("wrong bearer token")
        }
        return try await next(request, context)
    }

    private func unauthorized(_ message: String) -> APIError {
        APIError(.unauthorized, code: "unauthorized", message: message,
                 headers: [.wwwAuthenticate: "Bearer realm=\"caphost\""])
    }
}
