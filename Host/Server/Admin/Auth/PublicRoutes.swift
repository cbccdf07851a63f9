import HTTPTypes

/// The routes anyone who can reach the port may call: liveness and readiness.
/// Paths are compared after the router's own normalisation (segments split on
/// `/`, empty ones dropped, compared exactly), so the check and the router can
/// never disagree about which route a request reaches.
enum PublicRoutes {
    /// Normalised segment lists of the public `GET` routes.
    static let paths: Set<[Substring]> = [["healthz"], ["readyz"]]

    /// Whether `method path` reaches a public route.
    static func isPublic(path: String, method: HTTPRequest.Method) -> Bool {
        guard method == .get || method == .head else { return false }
        return paths.contains(segments(of: path))
    }

    /// The path as Hummingbird's trie router walks it.
    static func segments(of path: String) -> [Substring] {
        path.split(separator: "/", omittingEmptySubsequences: true)
    }
}
