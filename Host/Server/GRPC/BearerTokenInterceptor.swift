import GRPCCore

/// Lets a call through only when its `authorization` metadata is
/// `Bearer <token>`; otherwise fails it with UNAUTHENTICATED before any
/// handler runs.
struct BearerTokenInterceptor: ServerInterceptor {
    let token: String

    func intercept<Input: Sendable, Output: Sendable>(
        request: StreamingServerRequest<Input>,
        context: ServerContext,
        next: @Sendable (StreamingServerRequest<Input>, ServerContext) async throws -> StreamingServerResponse<Output>
    ) async throws -> StreamingServerResponse<Output> {
        guard let value = request.metadata[stringValues: "authorization"].first(where: { _ in true }) else {
            throw AdapterRegistryCallError.missingCredentials
        }
        guard let presented = Self.bearerCredential(value), Self.constantTimeEquals(presented, token) else {
            throw AdapterRegistryCallError.wrongCredentials
        }
        return try await next(request, context)
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
