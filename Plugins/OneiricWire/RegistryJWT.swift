import Crypto
import Foundation

/// HS256 JSON Web Tokens (RFC 7519) as the registry's bearer credential: the
/// client signs short-lived tokens with a shared secret; the server checks the
/// signature, `exp`, `nbf`, `iat` (with a small leeway for clock skew) and the
/// `project` claim.
///
/// Only HS256 is produced or accepted; a header naming any other algorithm,
/// `none` included, is refused before the signature is looked at.
public enum RegistryJWT {
    /// Clock skew tolerated on `exp`, `nbf` and `iat`.
    public static let defaultLeeway: Int64 = 10

    /// A token for `project`, valid from now for `lifetime`.
    public static func sign(project: String, subject: String?, secret: [UInt8], lifetime: Duration,
                            now: Date = Date()) -> String {
        let issued = Int64(now.timeIntervalSince1970)
        let claims = RegistryJWTClaims(project: project, subject: subject, issuedAt: issued, notBefore: issued,
                                       expiresAt: issued + max(1, lifetime.components.seconds))
        return sign(claims, secret: secret)
    }

    /// A token carrying exactly `claims` (tests use it to make expired tokens).
    public static func sign(_ claims: RegistryJWTClaims, secret: [UInt8]) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let header = Base64URL.encode(Array(#"{"alg":"HS256","typ":"JWT"}"#.utf8))
        // Encoding a struct of strings and integers cannot fail.
        let payload = Base64URL.encode(Array((try? encoder.encode(claims)) ?? Data()))
        let signingInput = header + "." + payload
        return signingInput + "." + Base64URL.encode(signature(of: signingInput, secret: secret))
    }

    /// The claims of `token` when it is an HS256 token signed with `secret`, inside
    /// its validity window (± `leeway` seconds) and, when `project` is set, for that project.
    public static func verify(_ token: String, secret: [UInt8], project: String?, leeway: Int64 = defaultLeeway,
                              now: Date = Date()) throws(RegistryJWTError) -> RegistryJWTClaims {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3 else { throw .malformed("expected 3 dot-separated parts, found \(parts.count)") }
        guard let headerBytes = Base64URL.decode(parts[0]), let payloadBytes = Base64URL.decode(parts[1]),
              let presented = Base64URL.decode(parts[2]) else {
            throw .malformed("a part is not base64url")
        }
        struct Header: Decodable { let alg: String }
        guard let header = try? JSONDecoder().decode(Header.self, from: Data(headerBytes)) else {
            throw .malformed("the header is not a JSON object with 'alg'")
        }
        guard header.alg == "HS256" else { throw .unsupportedAlgorithm(header.alg) }
        let key = SymmetricKey(data: secret)
        let signingInput = Array("\(parts[0]).\(parts[1])".utf8)
        guard HMAC<SHA256>.isValidAuthenticationCode(presented, authenticating: signingInput, using: key) else {
            throw .badSignature
        }
        guard let claims = try? JSONDecoder().decode(RegistryJWTClaims.self, from: Data(payloadBytes)) else {
            throw .malformed("the claims need 'project' (string) and 'iat', 'nbf', 'exp' (integers)")
        }
        let current = Int64(now.timeIntervalSince1970)
        guard claims.expiresAt + leeway > current else { throw .expired(expiresAt: claims.expiresAt, now: current) }
        guard claims.notBefore - leeway <= current else {
            throw .notYetValid(claim: "nbf", at: claims.notBefore, now: current)
        }
        guard claims.issuedAt - leeway <= current else {
            throw .notYetValid(claim: "iat", at: claims.issuedAt, now: current)
        }
        if let project, claims.project != project { throw .wrongProject(expected: project, found: claims.project) }
        return claims
    }

    private static func signature(of signingInput: String, secret: [UInt8]) -> [UInt8] {
        Array(HMAC<SHA256>.authenticationCode(for: Array(signingInput.utf8), using: SymmetricKey(data: secret)))
    }
}

/// RFC 4648 §5 base64url without padding, as JWTs use it.
enum Base64URL {
    static func encode(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    static func decode(_ text: Substring) -> [UInt8]? {
        guard text.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }) else { return nil }
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        return Data(base64Encoded: base64).map(Array.init)
    }
}
