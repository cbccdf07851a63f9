/// Why a registry bearer JWT was refused; the message is safe to send back to the
/// caller (it never contains the token or the secret).
public enum RegistryJWTError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Not three base64url parts, or a part that is not JSON of the expected shape.
    case malformed(String)
    /// The header names another algorithm than HS256 (`none` included).
    case unsupportedAlgorithm(String)
    /// The signature does not match the shared secret.
    case badSignature
    /// `exp` has passed (beyond the leeway).
    case expired(expiresAt: Int64, now: Int64)
    /// `nbf` or `iat` lies in the future (beyond the leeway).
    case notYetValid(claim: String, at: Int64, now: Int64)
    /// The `project` claim names another project.
    case wrongProject(expected: String, found: String)

    public var description: String {
        switch self {
        case .malformed(let what): "malformed JWT: \(what)"
        case .unsupportedAlgorithm(let alg): "JWT algorithm '\(alg)' is not accepted: expected HS256"
        case .badSignature: "JWT signature does not match the shared secret"
        case .expired(let exp, let now): "JWT expired \(now - exp) s ago (exp \(exp))"
        case .notYetValid(let claim, let at, let now): "JWT not valid yet: \(claim) \(at) is \(at - now) s in the future"
        case .wrongProject(let expected, let found): "JWT is for project '\(found)', expected '\(expected)'"
        }
    }
}
