import CapHostGRPC
import CapHostTestSupport
import Foundation
import OneiricWire
import Testing

/// Bearer JWTs (HS256) next to the static token, checked by an independent Python client.
@Suite struct AdapterRegistryJWTTests {
    static let secret = Array("registry-jwt-secret-\(UUID().uuidString)".utf8)

    static func token(project: String = "caphost", issuedSecondsAgo: Int64 = 0, lifetime: Int64 = 60,
                      secret: [UInt8] = secret) -> String {
        let now = Int64(Date().timeIntervalSince1970) - issuedSecondsAgo
        return RegistryJWT.sign(RegistryJWTClaims(project: project, subject: "tests", issuedAt: now, notBefore: now,
                                                  expiresAt: now + lifetime), secret: secret)
    }

    @Test func aValidJWTOrTheStaticTokenIsAcceptedAndEveryBadTokenIsRefusedWithItsReason() async throws {
        let staticToken = "static-\(UUID().uuidString)"
        let settings = AdapterRegistrySettings(port: 0, token: staticToken,
                                               jwt: .init(secret: Self.secret, project: "caphost", leewaySeconds: 10))
        let expired = Self.token(issuedSecondsAgo: 120, lifetime: 60)
        let otherProject = Self.token(project: "someone-else")
        let forged = Self.token(secret: Array("not-the-registry-secret".utf8))
        let unsigned = "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0."
            + "eyJwcm9qZWN0IjoiY2FwaG9zdCIsImlhdCI6MCwibmJmIjowLCJleHAiOjQxMDI0NDQ4MDB9."
        let future = Self.token(issuedSecondsAgo: -600)
        try await RegistryFixture.with { fixture in
            try await fixture.withServer(settings) { _, port in
                let list = PeerCall.list()
                let reply = try await RegistryPeer.call(port: port, [
                    list.authorized(.value("Bearer \(Self.token())")),
                    list.authorized(.value("Bearer \(staticToken)")),
                    list.authorized(.value("Bearer \(expired)")),
                    list.authorized(.value("Bearer \(otherProject)")),
                    list.authorized(.value("Bearer \(forged)")),
                    list.authorized(.value("Bearer \(unsigned)")),
                    list.authorized(.value("Bearer \(future)")),
                    list.authorized(.absent),
                ])
                let codes = reply.results.map(\.code)
                #expect(codes == ["OK", "OK"] + Array(repeating: "UNAUTHENTICATED", count: 6), "\(codes)")
                let details = reply.results.map(\.details)
                #expect(details[2].contains("JWT expired"), "\(details[2])")
                #expect(details[3].contains("project 'someone-else', expected 'caphost'"), "\(details[3])")
                #expect(details[4].contains("signature does not match"), "\(details[4])")
                #expect(details[5].contains("algorithm 'none' is not accepted"), "\(details[5])")
                #expect(details[6].contains("not valid yet"), "\(details[6])")
                #expect(details[7].contains("or an HS256 JWT"), "\(details[7])")
                // No answer repeats a credential.
                for credential in [staticToken, expired, otherProject, forged] {
                    #expect(details.allSatisfy { !$0.contains(credential) })
                }
            }
        }
    }
}
