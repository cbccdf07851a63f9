import CapHostCore
import CapHostGRPC
import CapHostTestSupport
import Foundation
import Testing

/// Settings the server refuses, and its lifecycle: binding, a taken port, shutdown.
@Suite struct AdapterRegistryServerTests {
    /// Any file that exists and can be read: the settings check reads no further.
    private let readableFile = #filePath

    @Test func refusesToServeBeyondLoopbackWithoutTLSAndToken() async throws {
        try await RegistryFixture.withEmptyHost { host in
        let tls = AdapterRegistrySettings.TLSFiles(certificateChainPath: readableFile, privateKeyPath: readableFile)

        let bare = refusal(host, AdapterRegistrySettings(address: "0.0.0.0"))
        #expect(bare == .exposedWithoutProtection(address: "0.0.0.0", missing: ["TLS (certificate and key)", "a token or a JWT secret"]))
        #expect(bare?.description.contains("refusing to serve the gRPC registry on non-loopback address 0.0.0.0") == true)
        #expect(refusal(host, AdapterRegistrySettings(address: "192.0.2.7", token: "t"))
                == .exposedWithoutProtection(address: "192.0.2.7", missing: ["TLS (certificate and key)"]))
        #expect(refusal(host, AdapterRegistrySettings(address: "::", tls: tls))
                == .exposedWithoutProtection(address: "::", missing: ["a token or a JWT secret"]))
        // With both it is accepted (created, never run: tests bind loopback only).
        #expect(refusal(host, AdapterRegistrySettings(address: "0.0.0.0", token: "t", tls: tls)) == nil)
        // Every loopback form is accepted without either.
        for address in ["127.0.0.1", "127.8.9.10", "::1", "localhost", "::ffff:127.0.0.1"] {
            #expect(refusal(host, AdapterRegistrySettings(address: address)) == nil, "\(address)")
        }
        }
    }

    @Test func refusesMalformedSettingsNamingTheSetting() async throws {
        try await RegistryFixture.withEmptyHost { host in
        #expect(refusal(host, AdapterRegistrySettings(address: "registry.example.com")) == .invalidAddress("registry.example.com"))
        #expect(refusal(host, AdapterRegistrySettings(port: 65_536)) == .invalidPort(65_536))
        #expect(refusal(host, AdapterRegistrySettings(port: -1)) == .invalidPort(-1))
        for package in ["", "1registry.v1", "oneiric..v1", "oneiric.registry.", "one-iric.v1", "oneiric/registry"] {
            #expect(refusal(host, AdapterRegistrySettings(package: package)) == .invalidPackage(package), "\(package)")
        }
        for package in ["oneiric.registry.v1", "acme", "_x.y_2.Z"] {
            #expect(refusal(host, AdapterRegistrySettings(package: package)) == nil, "\(package)")
        }
        #expect(refusal(host, AdapterRegistrySettings(token: "")) == .emptyToken)
        #expect(refusal(host, AdapterRegistrySettings(jwt: .init(secret: Array("short".utf8)))) == .weakJWTSecret(bytes: 5))
        let missing = AdapterRegistrySettings.TLSFiles(certificateChainPath: "/nonexistent/cert.pem", privateKeyPath: readableFile)
        let error = refusal(host, AdapterRegistrySettings(tls: missing))
        #expect(error == .unreadableTLSFile(setting: "TLS certificate chain", path: "/nonexistent/cert.pem", reason: "no such file"))
        #expect(error?.description == "grpc TLS certificate chain '/nonexistent/cert.pem' cannot be read: no such file")
        let directory = FixturePlugins.repositoryRoot
        let inDirectory = AdapterRegistrySettings.TLSFiles(certificateChainPath: readableFile, privateKeyPath: directory)
        #expect(refusal(host, AdapterRegistrySettings(tls: inDirectory))
                == .unreadableTLSFile(setting: "TLS private key", path: directory, reason: "it is a directory; expected a PEM file"))
        let noAuthority = AdapterRegistrySettings.TLSFiles(certificateChainPath: readableFile, privateKeyPath: readableFile,
                                                           clientCertificateAuthorityPath: "/nonexistent/ca.pem")
        #expect(refusal(host, AdapterRegistrySettings(tls: noAuthority))
                == .unreadableTLSFile(setting: "TLS client certificate authority", path: "/nonexistent/ca.pem", reason: "no such file"))
        }
    }

    @Test func aTakenPortFailsRunAndListeningAddressWithTheSocketError() async throws {
        try await RegistryFixture.withEmptyHost { host in
            try await RegistryFixture.serve(host: host, AdapterRegistrySettings(port: 0)) { first, port in
                let (boundHost, _) = try await first.listeningAddress()
                #expect(boundHost == "127.0.0.1")
                let second = try AdapterRegistryServer(host: host, settings: AdapterRegistrySettings(port: port), logger: RegistryFixture.logger)
                let failure = await #expect(throws: AdapterRegistryServerError.self) { try await second.run() }
                let description = failure.map(String.init(describing:)) ?? ""
                #expect(description.contains("could not serve on 127.0.0.1:\(port)"), "\(description)")
                #expect(description.contains("in use"), "\(description)")
                await #expect(throws: AdapterRegistryServerError.self) { try await second.listeningAddress() }
            }
        }
    }

    @Test func gracefulShutdownEndsRunAndTheAddress() async throws {
        try await RegistryFixture.withEmptyHost { host in
            let server = try AdapterRegistryServer(host: host, settings: AdapterRegistrySettings(port: 0), logger: RegistryFixture.logger)
            let running = Task { try await server.run() }
            let (_, port) = try await server.listeningAddress()
            #expect(port > 0)
            server.beginGracefulShutdown()
            try await running.value
            await #expect(throws: AdapterRegistryServerError.self) { try await server.listeningAddress() }
            // A server runs once.
            await #expect(throws: AdapterRegistryServerError.self) { try await server.run() }

            // Shut down before it ran: run() returns at once and never binds.
            let unstarted = try AdapterRegistryServer(host: host, settings: AdapterRegistrySettings(port: 0), logger: RegistryFixture.logger)
            unstarted.beginGracefulShutdown()
            try await unstarted.run()
            await #expect(throws: AdapterRegistryServerError.self) { try await unstarted.listeningAddress() }

            // Cancelling the task that runs it closes it at once.
            let cancelled = try AdapterRegistryServer(host: host, settings: AdapterRegistrySettings(port: 0), logger: RegistryFixture.logger)
            let serving = Task { try await cancelled.run() }
            _ = try await cancelled.listeningAddress()
            serving.cancel()
            await #expect(throws: CancellationError.self) { try await serving.value }
        }
    }

    /// The settings error `AdapterRegistryServer.init` throws, or nil when it accepts the settings.
    private func refusal(_ host: CapabilityHost, _ settings: AdapterRegistrySettings) -> AdapterRegistrySettingsError? {
        do {
            _ = try AdapterRegistryServer(host: host, settings: settings)
            return nil
        } catch let error as AdapterRegistrySettingsError {
            return error
        } catch {
            Issue.record("unexpected error \(error)")
            return nil
        }
    }
}
