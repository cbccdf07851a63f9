import Hummingbird

/// The admin API's responder: the router, except that `POST /v1/invoke/…` — a plugin
/// call, the request the API serves most — is taken before the router's trie, which
/// cost as much as the guarded call itself. Such a request passes the same checks
/// as every routed one (request origin, then bearer token, then the error
/// translation), called directly rather than through the middleware's async
/// closures; any other path, including one the router would normalise to an
/// invoke, takes the router.
package struct AdminResponder: HTTPResponder {
    package typealias Context = BasicRequestContext

    let router: RouterResponder<BasicRequestContext>
    let errors: APIErrorMiddleware<BasicRequestContext>
    let origin: RequestOriginMiddleware<BasicRequestContext>
    let token: BearerTokenMiddleware<BasicRequestContext>
    let admin: AdminContext

    package func respond(to request: Request, context: BasicRequestContext) async throws -> Response {
        let path = request.uri.path
        guard request.method == .post, path.hasPrefix(InvokeRoutes.pathPrefix) else {
            return try await router.respond(to: request, context: context)
        }
        do {
            try origin.check(request)
            try token.check(request)
            return try await InvokeRoutes.invoke(path: path.dropFirst(InvokeRoutes.pathPrefix.count), request, context, admin)
        } catch {
            // What the error middleware, then the router's responder, make of an error.
            return try errors.apiError(error, request: request, context: context).response(from: request, context: context)
        }
    }
}
