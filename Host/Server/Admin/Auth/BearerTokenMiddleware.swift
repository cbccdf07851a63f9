import Hummingbird

/// Lets a request to a protected path (`/v1…`, `/metrics`, `/mcp`) through only
/// with `Authorization: Bearer <token>`. It runs before routing, so a path that
/// does not exist under a protected prefix answers 401 too: nothing about the
/// API is learnt without the token.
struct BearerTokenMiddleware<Context: RequestContext>: RouterMiddleware {
    let token: APIToken
    static var protectedPrefixes: [String] { ["/v1", "/metrics", "/mcp"] }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let path = request.uri.path
        let isProtected = Self.protectedPrefixes.contains { path == $0 || path.hasPrefix($0 + "/") }
        guard isProtected else { return try await next(request, context) }
        guard let header = request.headers[.authorization] else {
            throw unauthorized("missing bearer token: send 'Authorization: Bearer <token>' (the token is in \(token.path))")
        }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else {
            throw unauthorized("the Authorization header must be 'Bearer <token>', found scheme '\(parts.first ?? "")'")
        }
        guard token.matches(parts[1].drop { $0 == " " }) else {
            throw unauthorized("wrong bearer token (the token is in \(token.path))")
        }
        return try await next(request, context)
    }

    private func unauthorized(_ message: String) -> APIError {
        APIError(.unauthorized, code: "unauthorized", message: message,
                 headers: [.wwwAuthenticate: "Bearer realm=\"caphost\""])
    }
}
