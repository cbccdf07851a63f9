import Foundation
import OneiricWire
import Testing

/// HS256 tokens: what is signed verifies, and every way a token can be wrong is refused by name.
@Suite struct RegistryJWTTests {
    let secret = Array("0123456789abcdef0123456789abcdef".utf8)
    let now = Date(timeIntervalSince1970: 1_800_000_000)
    var at: Int64 { Int64(now.timeIntervalSince1970) }

    @Test func aSignedTokenVerifiesWithItsClaims() throws {
        let token = RegistryJWT.sign(project: "caphost", subject: "host-a", secret: secret, lifetime: .seconds(300), now: now)
        let claims = try RegistryJWT.verify(token, secret: secret, project: "caphost", now: now)
        #expect(claims == RegistryJWTClaims(project: "caphost", subject: "host-a", issuedAt: at, notBefore: at, expiresAt: at + 300))
        // Any project is accepted when the verifier names none.
        #expect(try RegistryJWT.verify(token, secret: secret, project: nil, now: now).project == "caphost")
    }

    @Test func timesAreCheckedWithTheLeeway() throws {
        let claims = RegistryJWTClaims(project: "p", issuedAt: at - 100, notBefore: at - 100, expiresAt: at - 5)
        let token = RegistryJWT.sign(claims, secret: secret)
        // Expired 5 s ago: inside a 10 s leeway, outside a 2 s one.
        #expect(try RegistryJWT.verify(token, secret: secret, project: "p", leeway: 10, now: now).expiresAt == at - 5)
        #expect(throws: RegistryJWTError.expired(expiresAt: at - 5, now: at)) {
            try RegistryJWT.verify(token, secret: secret, project: "p", leeway: 2, now: now)
        }
        let early = RegistryJWT.sign(RegistryJWTClaims(project: "p", issuedAt: at, notBefore: at + 60, expiresAt: at + 120),
                                     secret: secret)
        #expect(throws: RegistryJWTError.notYetValid(claim: "nbf", at: at + 60, now: at)) {
            try RegistryJWT.verify(early, secret: secret, project: "p", now: now)
        }
        let issuedLater = RegistryJWT.sign(RegistryJWTClaims(project: "p", issuedAt: at + 60, notBefore: at, expiresAt: at + 120),
                                           secret: secret)
        #expect(throws: RegistryJWTError.notYetValid(claim: "iat", at: at + 60, now: at)) {
            try RegistryJWT.verify(issuedLater, secret: secret, project: "p", now: now)
        }
    }

    @Test func aWrongSecretProjectOrAlgorithmIsRefused() throws {
        let token = RegistryJWT.sign(project: "caphost", subject: nil, secret: secret, lifetime: .seconds(60), now: now)
        #expect(throws: RegistryJWTError.badSignature) {
            try RegistryJWT.verify(token, secret: Array("another secret entirely, 32 byte".utf8), project: nil, now: now)
        }
        #expect(throws: RegistryJWTError.wrongProject(expected: "mahavishnu", found: "caphost")) {
            try RegistryJWT.verify(token, secret: secret, project: "mahavishnu", now: now)
        }
        // The same claims with `alg: none` and no signature.
        let parts = token.split(separator: ".")
        let none = Data(#"{"alg":"none","typ":"JWT"}"#.utf8).base64EncodedString()
            .replacingOccurrences(of: "=", with: "")
        #expect(throws: RegistryJWTError.unsupportedAlgorithm("none")) {
            try RegistryJWT.verify("\(none).\(parts[1]).", secret: secret, project: nil, now: now)
        }
        // A flipped payload byte breaks the signature.
        var payload = Array(parts[1])
        payload[3] = payload[3] == "A" ? "B" : "A"
        #expect(throws: RegistryJWTError.badSignature) {
            try RegistryJWT.verify("\(parts[0]).\(String(payload)).\(parts[2])", secret: secret, project: nil, now: now)
        }
    }

    @Test func malformedTokensSayWhatIsWrong() {
        for (token, expected) in [
            ("abc", "expected 3 dot-separated parts, found 1"),
            ("a.b.c.d", "expected 3 dot-separated parts, found 4"),
            ("a*b.c.d", "a part is not base64url"),
            ("e30.e30.", "the header is not a JSON object with 'alg'"),
        ] {
            #expect(throws: RegistryJWTError.malformed(expected), "\(token)") {
                try RegistryJWT.verify(token, secret: secret, project: nil, now: now)
            }
        }
    }
}
