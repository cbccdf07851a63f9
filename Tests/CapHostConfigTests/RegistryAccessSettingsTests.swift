import CapHostConfig
import Foundation
import Testing

/// `grpc.jwt` and `grpc.client_ca`: the registry's bearer JWTs and mutual TLS, from caphost.yaml.
@Suite struct RegistryAccessSettingsTests {
    func parse(_ yaml: String, _ environment: [String: String] = [:]) throws(ConfigFileError) -> CapHostSettings {
        try SettingsText.parse(yaml, environment)
    }

    func problems(_ yaml: String, _ environment: [String: String] = [:]) -> [String] { SettingsText.problems(yaml, environment) }

    @Test func theJWTSecretComesFromTheEnvironmentAndIsRedacted() throws {
        let secret = "jwt-secret-0123456789abcdef"
        let settings = try parse("""
        http:
          tls: {certificate: tls/cert.pem, key: tls/key.pem}
        grpc:
          client_ca: tls/clients.pem
          jwt:
            secret: ${REGISTRY_JWT_SECRET}
            project: mahavishnu
            leeway: 30s
        """, ["REGISTRY_JWT_SECRET": secret])
        #expect(settings.grpc.jwt == CapHostSettings.GRPC.JWT(secret: secret, project: "mahavishnu", leeway: .seconds(30)))
        #expect(settings.grpc.clientCertificateAuthority == "/srv/tls/clients.pem")
        let description = settings.redactedDescription
        #expect(description.contains("jwt: ${REGISTRY_JWT_SECRET} (redacted), project mahavishnu, leeway 30s"), "\(description)")
        #expect(description.contains("client_ca: /srv/tls/clients.pem"))
        #expect(!description.contains(secret))
    }

    @Test func aLiteralOrMissingSecretAndMutualTLSWithoutTLSAreRefused() {
        let literal = problems("grpc:\n  jwt:\n    secret: s3cr3t-value-long-enough\n")
        #expect(literal.count == 1 && literal[0].contains("grpc.jwt.secret: a secret must not be written into the file"), "\(literal)")
        #expect(!literal.joined().contains("s3cr3t"))

        let missing = problems("grpc:\n  jwt:\n    project: caphost\n")
        #expect(missing.count == 1 && missing[0].hasSuffix("grpc.jwt: needs 'secret: ${VAR}' (the shared HS256 secret, from the environment)"), "\(missing)")

        let empty = problems("grpc:\n  jwt:\n    secret: ${EMPTY}\n", ["EMPTY": ""])
        #expect(empty.count == 1 && empty[0].contains("expected a non-empty secret"), "\(empty)")

        let orphan = problems("grpc:\n  client_ca: clients.pem\n")
        #expect(orphan == ["caphost.yaml:2:14: grpc.client_ca: needs http.tls (the registry's certificate and key): mutual TLS is TLS first"], "\(orphan)")
    }
}
