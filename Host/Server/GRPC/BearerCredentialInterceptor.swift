import Foundation
import GRPCCore
import OneiricWire

/// Lets a call through only when its `authorization` metadata is
/// `Bearer <credential>` with the registry's static token or a valid HS256 JWT
/// (REFERENCE §1: the seed's `jwt_enabled`/`jwt_secret`/`jwt_project`);
/// otherwise fails it with UNAUTHENTICATED and the reason before any handler runs.
struct BearerCredentialInterceptor: ServerInterceptor {
    let token: String?
    let jwt: AdapterRegistrySettings.JWTVerification?

    func intercept<Input: Sendable, Output: Sendable>(
        request: StreamingServerRequest<Input>,
        context: ServerContext,
        next: @Sendable (StreamingServerRequest<Input>, ServerContext) async throws -> StreamingServerResponse<Output>
    ) async throws -> StreamingServerResponse<Output> {
        guard let value = request.metadata[stringValues: "authorization"].first(where: { _ in true }) else {
            throw AdapterRegistryCallError.missingCredentials(acceptsJWT: jwt != nil)
        }
        guard let presented = Self.bearerCredential(value) else {
            throw AdapterRegistryCallError.wrongCredentials(acceptsJWT: jwt != nil)
        }
        try check(presented)
        return try await next(request, context)
    }

    /// Accepts the static token, or a JWT that verifies; a JWT-shaped credential
    /// that fails verification is refused with the verifier's reason.
    func check(_ presented: String, now: Date = Date()) throws(AdapterRegistryCallError) {
        if let token, Self.constantTimeEquals(presented, token) { return }
        guard let jwt else { throw .wrongCredentials(acceptsJWT: false) }
        guard presented.split(separator: ".", omittingEmptySubsequences: false).count == 3 else {
            throw .wrongCredentials(acceptsJWT: true)
        }
        do {
            _ = try RegistryJWT.verify(presented, secret: jwt.secret, project: jwt.project,
                                       leeway: jwt.leewaySeconds, now: now)
        } catch {
            throw .invalidJWT(error.description)
        }
    }

    /// The credential of `Bearer <credential>` (scheme case-insensitive, RFC 6750), or nil.
    static func bearerCredential(_ value: String) -> String? {
        let parts = value.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
        return String(parts[1].drop { $0 == " " })
    }

    /// Compares without an early exit, so response time does not reveal how much of a guess was right.
    static func constantTimeEquals(_ lhs: String, _ rhs: String) -> Bool {
        let left = Array(lhs.utf8)
        let right = Array(rhs.utf8)
        var difference = UInt8(truncatingIfNeeded: left.count ^ right.count)
        for index in 0..<max(left.count, right.count) {
            let a = index < left.count ? left[index] : 0
            let b = index < right.count ? right[index] : 0
            difference |= a ^ b
        }
        return difference == 0 && left.count == right.count
    }
}
