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
        try check(request)
        return try await next(request, context)
    }

    /// Throws 401 unless the request may pass: a public route, or the right token.
    func check(_ request: Request) throws(APIError) {
        if PublicRoutes.isPublic(path: request.uri.path, method: request.method) { return }
        guard let header = request.headers.value(of: .authorization) else {
            throw unauthorized("missing bearer token: send 'Authorization: Bearer <token>' (the operator finds it in the file api-token of the host's state directory)")
        }
        // `<scheme> <token>`, the scheme compared without case, read in place.
        var text = header
        let verdict = text.withUTF8 { bytes -> Verdict in
            let space = bytes.firstIndex(of: UInt8(ascii: " ")) ?? bytes.endIndex
            guard space < bytes.endIndex, space == 6, zip(bytes[..<space], "bearer".utf8).allSatisfy({ $0 | 0x20 == $1 }) else {
                return .wrongScheme(String(decoding: bytes[..<min(space, 32)], as: UTF8.self))
            }
            var start = space
            while start < bytes.endIndex && bytes[start] == UInt8(ascii: " ") { start += 1 }
            return token.matches(UnsafeBufferPointer(rebasing: bytes[start...])) ? .accepted : .wrongToken
        }
        switch verdict {
        case .accepted: return
        case .wrongScheme(let scheme):
            throw unauthorized("the Authorization header must be 'Bearer <token>', found scheme '\(scheme)'")
        case .wrongToken:
            throw unauthorized("wrong bearer token")
        }
    }

    /// What the `Authorization` header says.
    private enum Verdict {
        case accepted
        case wrongScheme(String)
        case wrongToken
    }

    private func unauthorized(_ message: String) -> APIError {
        APIError(.unauthorized, code: "unauthorized", message: message,
                 headers: [.wwwAuthenticate: "Bearer realm=\"caphost\""])
    }
}
