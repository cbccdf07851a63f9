import Hummingbird

/// The admin API's responder: the router, except that `POST /v1/invoke/…` — a plugin
/// call, the request the API serves most — is taken before the router's trie, which
/// cost as much as the guarded call itself. Such a request passes the same middleware
/// as every routed one (errors, request origin, bearer token), in the same order; any
/// other path, including one the router would normalise to an invoke, takes the router.
struct AdminResponder: HTTPResponder {
    typealias Context = BasicRequestContext

    let router: RouterResponder<BasicRequestContext>
    let errors: APIErrorMiddleware<BasicRequestContext>
    let origin: RequestOriginMiddleware<BasicRequestContext>
    let token: BearerTokenMiddleware<BasicRequestContext>
    let admin: AdminContext

    func respond(to request: Request, context: BasicRequestContext) async throws -> Response {
        let path = request.uri.path
        guard request.method == .post, path.hasPrefix(InvokeRoutes.pathPrefix) else {
            return try await router.respond(to: request, context: context)
        }
        let admin = self.admin, origin = self.origin, token = self.token
        do {
            return try await errors.handle(request, context: context) { request, context in
                try await origin.handle(request, context: context) { request, context in
                    try await token.handle(request, context: context) { request, context in
                        try await InvokeRoutes.invoke(path: path.dropFirst(InvokeRoutes.pathPrefix.count), request, context, admin)
                    }
                }
            }
        } catch let error as any HTTPResponseError {
            // What the router's responder does with an error that reaches it.
            return try error.response(from: request, context: context)
        }
    }
}
