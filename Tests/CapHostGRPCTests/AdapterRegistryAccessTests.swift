import CapHostCore
import CapHostGRPC
import CapHostTestSupport
import Foundation
import Testing

/// Who reaches the registry: the token, the configurable package, TLS.
@Suite struct AdapterRegistryAccessTests {
    @Test func everyMethodNeedsTheBearerTokenWhenOneIsSet() async throws {
        let token = "grpc-test-token-\(UUID().uuidString)"
        try await RegistryFixture.with { fixture in
            try await fixture.withServer(AdapterRegistrySettings(port: 0, token: token)) { _, port in
                let everyMethod: [PeerCall] = [
                    .list(), .get(RegistryFixture.alpha), .health(RegistryFixture.alpha), .heartbeat(RegistryFixture.alpha),
                ]
                let reply = try await RegistryPeer.call(port: port,
                    everyMethod.map { $0.authorized(.absent) }
                        + everyMethod.map { $0.authorized(.value("Bearer wrong-\(token)")) }
                        + [everyMethod[0].authorized(.value("Basic \(token)")), everyMethod[0].authorized(.value(token))]
                        + everyMethod.map { $0.authorized(.value("Bearer \(token)")) }
                        + [everyMethod[0].authorized(.value("bearer \(token)"))])
                let codes = reply.results.map(\.code)
                #expect(codes[0..<10].allSatisfy { $0 == "UNAUTHENTICATED" }, "\(codes)")
                #expect(codes[10...].allSatisfy { $0 == "OK" }, "\(codes)")
                #expect(reply.results[0].details.contains("authorization: Bearer <token>"), "\(reply.results[0].details)")
                #expect(reply.results[4].details.contains("not 'Bearer <token>'"), "\(reply.results[4].details)")
                #expect(reply.results[10].response?.adapters?.count == RegistryFixture.allIDs.count)
                #expect(reply.results[13].response?.registered == true)
                // The message never echoes what the client sent.
                #expect(reply.results.allSatisfy { !$0.details.contains(token) })
            }
        }
    }

    @Test func theServiceAnswersUnderTheConfiguredPackageOnly() async throws {
        let package = "acme.discovery.v2"
        try await RegistryFixture.with { fixture in
            try await fixture.withServer(AdapterRegistrySettings(port: 0, package: package)) { _, port in
                let custom = try await RegistryPeer.call(port: port, [.list(), .get(RegistryFixture.beta),
                                                                     .heartbeat(RegistryFixture.beta)], package: package)
                #expect(custom.package == package)
                #expect(custom.results.map(\.code) == ["OK", "OK", "OK"])
                #expect(custom.results[0].response?.adapters?.map(\.adapterID) == RegistryFixture.allIDs)
                #expect(custom.results[1].response?.adapter?.provider == "beta")

                let standard = try await RegistryPeer.call(port: port, [.list(), .get(RegistryFixture.beta)])
                #expect(standard.package == AdapterRegistrySettings.defaultPackage)
                #expect(standard.results.map(\.code) == ["UNIMPLEMENTED", "UNIMPLEMENTED"])
            }
        }
    }

    @Test func tlsServesClientsThatTrustTheCertificate() async throws {
        let certificate = try await SelfSignedCertificate.make()
        defer { certificate.remove() }
        try await RegistryFixture.with { fixture in
            let settings = AdapterRegistrySettings(port: 0, tls: .init(certificateChainPath: certificate.certificatePath,
                                                                        privateKeyPath: certificate.keyPath))
            try await fixture.withServer(settings) { _, port in
                let secure = try await RegistryPeer.call(port: port, [.list(), .health(RegistryFixture.alpha)],
                                                         tls: (certificate.certificatePath, "localhost"))
                #expect(secure.results.map(\.code) == ["OK", "OK"])
                #expect(secure.results[0].response?.adapters?.count == RegistryFixture.allIDs.count)

                let plaintext = try await RegistryPeer.call(port: port, [.list()])
                #expect(plaintext.results[0].code == "UNAVAILABLE")
            }
        }
    }

    @Test func mutualTLSServesOnlyClientsWithACertificateFromTheAuthority() async throws {
        let server = try await SelfSignedCertificate.make()
        defer { server.remove() }
        let client = try await SelfSignedCertificate.make(commonName: "mahavishnu")
        defer { client.remove() }
        let stranger = try await SelfSignedCertificate.make(commonName: "stranger")
        defer { stranger.remove() }
        try await RegistryFixture.with { fixture in
            // The client's self-signed certificate is its own authority.
            let settings = AdapterRegistrySettings(port: 0, tls: .init(
                certificateChainPath: server.certificatePath, privateKeyPath: server.keyPath,
                clientCertificateAuthorityPath: client.certificatePath))
            try await fixture.withServer(settings) { _, port in
                let trusted = try await RegistryPeer.call(port: port, [.list()], tls: (server.certificatePath, "localhost"),
                                                          clientCertificate: client)
                #expect(trusted.results[0].code == "OK")
                #expect(trusted.results[0].response?.adapters?.count == RegistryFixture.allIDs.count)

                let anonymous = try await RegistryPeer.call(port: port, [.list()], tls: (server.certificatePath, "localhost"))
                #expect(anonymous.results[0].code == "UNAVAILABLE")
                let untrusted = try await RegistryPeer.call(port: port, [.list()], tls: (server.certificatePath, "localhost"),
                                                            clientCertificate: stranger)
                #expect(untrusted.results[0].code == "UNAVAILABLE")
            }
        }
    }
}
