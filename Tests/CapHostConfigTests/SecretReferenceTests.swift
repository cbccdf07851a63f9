import CapHostConfig
import Foundation
import Testing

/// Secrets only as `${VAR}` references; resolved values never appear in messages or descriptions.
@Suite struct SecretReferenceTests {
    func parse(_ yaml: String, _ environment: [String: String] = [:]) throws(ConfigFileError) -> CapHostSettings {
        try SettingsText.parse(yaml, environment)
    }

    func problems(_ yaml: String, _ environment: [String: String] = [:]) -> [String] { SettingsText.problems(yaml, environment) }

    @Test func aLiteralSecretIsRefusedWithoutRepeatingIt() {
        let refused = problems("http:\n  token: hunter2-abcdef\n")
        #expect(refused == ["caphost.yaml:2:10: http.token: a secret must not be written into the file: use a reference such as ${CAPHOST_HTTP_TOKEN} and set CAPHOST_HTTP_TOKEN in the environment"])
        #expect(!refused.joined().contains("hunter2"))

        let plugin = problems("plugins:\n  libmailgun:\n    domain: mg.example.com\n    api_key: key-3ax6xnjp29jd6fds4gc373sgvjxteol0\n")
        #expect(plugin == ["caphost.yaml:4:14: plugins.libmailgun.api_key: a secret must not be written into the file: use a reference such as ${MAILGUN_API_KEY} and set MAILGUN_API_KEY in the environment"])
        // Every secret-looking spelling, at any depth, also numbers.
        for key in ["password", "smtpPassword", "client_secret", "apiKey", "private-key", "auth_token", "passphrase"] {
            let found = problems("plugins:\n  libx:\n    nested:\n      - \(key): 123456\n")
            #expect(found.count == 1 && found[0].contains("a secret must not be written into the file"), "\(key): \(found)")
        }
    }

    @Test func booleansAndNullsUnderSecretLookingKeysAreNotSecrets() throws {
        let settings = try parse("grpc:\n  require_token: false\nplugins:\n  libx:\n    token: ~\n    use_token: true\n    token_file: /run/token\n", [:])
        #expect(!settings.grpc.requireToken)
        #expect(settings.host.pluginConfigs["libx"] == #"{"token":null,"use_token":true,"token_file":"/run/token"}"#)
    }

    @Test func referencesResolveAndSecretsAreKeptForScrubbing() throws {
        let environment = ["MAILGUN_API_KEY": "key-0123456789", "ADMIN": "tok\"en", "REGION": "eu", "PORT": "7443"]
        let settings = try parse("""
        http:
          port: ${PORT}
          token: ${ADMIN}
        plugins:
          libmailgun:
            api_key: ${MAILGUN_API_KEY}
            auth: "api:${MAILGUN_API_KEY}"
            region: ${REGION}
            literal: "$${NOT_A_REFERENCE} costs $5"
        """, environment)
        #expect(settings.http.port == 7443)
        #expect(settings.http.token == "tok\"en")
        #expect(settings.host.pluginConfigs["libmailgun"]
            == #"{"api_key":"key-0123456789","auth":"api:key-0123456789","region":"eu","literal":"${NOT_A_REFERENCE} costs $5"}"#)
        #expect(settings.secrets.containsSecret("Authorization: key-0123456789"))
        #expect(settings.secrets.containsSecret(#"{"t":"tok\"en"}"#), "the JSON-escaped spelling is known too")
        #expect(!settings.secrets.containsSecret("eu"), "a plain reference (REGION) is not a secret")
        #expect(settings.secrets.redact("sent with key-0123456789 and api:key-0123456789") == "sent with [redacted] and [redacted]")

        let description = settings.redactedDescription
        #expect(!description.contains("key-0123456789") && !description.contains("tok\"en") && !description.contains("tok\\\"en"))
        #expect(description.contains("token: ${ADMIN} (redacted)"))
        // Secrets and plain values from the environment alike: shown as their references.
        #expect(description.contains(#"{"api_key":"${MAILGUN_API_KEY}","auth":"api:${MAILGUN_API_KEY}","region":"${REGION}","literal":"${NOT_A_REFERENCE} costs $5"}"#), "\(description)")
        #expect(description.contains("port: ${PORT}") && !description.contains("7443"), "\(description)")
    }

    @Test func aMissingVariableNamesTheKeyAndTheVariableButNoValue() {
        #expect(problems("plugins:\n  libmailgun:\n    api_key: ${MAILGUN_API_KEY}\n", ["OTHER_SECRET": "zzz-secret"])
            == ["caphost.yaml:3:14: plugins.libmailgun.api_key: environment variable MAILGUN_API_KEY is not set"])
        #expect(problems("project: \"${TEAM}-${ENVIRONMENT}\"\n")
            == ["caphost.yaml:1:10: project: environment variables TEAM, ENVIRONMENT are not set"])
    }

    @Test func malformedReferencesAreExplained() {
        #expect(problems("project: ${TEAM\n")
            == [#"caphost.yaml:1:10: project: a "${" reference is not closed with "}" (write "$${" for a literal "${")"#])
        #expect(problems("project: ${TEAM:-default}\n")
            == [#"caphost.yaml:1:10: project: "${TEAM:-default}" is not a variable reference: expected a name of letters, digits and _ not starting with a digit"#])
    }

    @Test func aReferencedValueIsReadAsTheSettingsTypeAndNeverRepeated() throws {
        let settings = try parse("http:\n  port: ${PORT}\nprobe:\n  enabled: ${PROBE}\nproject: \"${PORT}\"\n", ["PORT": "8080", "PROBE": "false"])
        #expect(settings.http.port == 8080 && !settings.host.probe.enabled && settings.host.project == "8080")
        // A wrong value says where it came from and never what it is, secret or not.
        #expect(problems("http:\n  port: ${PORT}\n", ["PORT": "eighty"])
            == [#"caphost.yaml:2:9: http.port: the value of ${PORT} is not an integer 0…65535"#])
    }

    @Test func anEmptySecretVariableIsRefused() {
        #expect(problems("http:\n  token: ${CAPHOST_TOKEN}\n", ["CAPHOST_TOKEN": ""])
            == ["caphost.yaml:2:10: http.token: expected a non-empty token, found the value of ${CAPHOST_TOKEN} (the variable is set but empty?)"])
    }
}
