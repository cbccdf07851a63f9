import CapHostCore
import CapHostTestSupport
import Crypto
import Foundation
import Testing

/// `NAME.so.sig`: an Ed25519 signature over the statement naming the plugin,
/// its version and the file's SHA-256, checked against the configured trusted
/// keys; `require_signatures` refuses unsigned files.
@Suite struct SignatureTests {
    /// Writes `file.sig` for `file` as `name` `version`, signed by `key`.
    static func sign(_ file: String, name: String, version: String = "1.0.0", with key: Curve25519.Signing.PrivateKey) throws {
        let digest = ContentAddressedStore.digest(of: Array(try Data(contentsOf: URL(fileURLWithPath: file))))
        let statement = SignatureStatement(name: name, version: version, digest: digest)
        let signature = try key.signature(for: Data(statement.signedBytes))
        try statement.signatureFile(signature: Array(signature)).write(toFile: file + ".sig", atomically: true, encoding: .utf8)
    }

    /// Runs `body` with a host that requires signatures and trusts `key` (`TestHost.with`).
    static func withSignedHost(_ key: Curve25519.Signing.PrivateKey, probe: Bool = true, _ body: (TestHost) async throws -> Void) async throws {
        try await TestHost.with({
            $0.signatures.trustedKeys = [key.publicKey.rawRepresentation.base64EncodedString()]
            $0.signatures.requireSignatures = true
            $0.probe.enabled = probe
        }, body)
    }

    @Test func signedLoadsUnsignedAndForgedAreRefused() async throws {
        let trusted = Curve25519.Signing.PrivateKey()
        let stranger = Curve25519.Signing.PrivateKey()
        try await Self.withSignedHost(trusted) { test in

            let signed = try test.install("noop.c", as: "signed.so", defines: providerDefines(name: "signed", provider: "signed"))
            try Self.sign(signed, name: "signed", with: trusted)
            let report = await test.host.load(file: signed)
            #expect(report.state == .loaded)
            #expect(report.signature == "signed by trusted key 0")

            let unsigned = try test.install("noop.c", as: "unsigned.so", defines: providerDefines(name: "unsigned", provider: "unsigned"))
            let refused = await test.host.load(file: unsigned)
            #expect(refused.error?.check == .signature)
            #expect(refused.error?.detail == "unsigned: \(unsigned).sig is missing and require_signatures is true")

            let forged = try test.install("noop.c", as: "forged.so", defines: providerDefines(name: "forged", provider: "forged"))
            try Self.sign(forged, name: "forged", with: stranger)
            #expect(await test.host.load(file: forged).error?.detail == "signature does not verify against any of the 1 trusted keys")

            // A signature for other bytes (the file was swapped after signing) fails too.
            try Self.sign(forged, name: "forged", with: trusted)
            try test.install("noop.c", as: "forged.so", defines: providerDefines(name: "forged", provider: "forged", version: "9.9.9"))
            let swapped = await test.host.load(file: forged)
            #expect(swapped.error?.check == .signature)
            #expect(swapped.error?.detail.contains("the file is not the build that was signed") == true, "\(swapped.error?.description ?? "")")
        }
    }

    /// The old form — a bare signature over the file's SHA-256 — binds neither
    /// name nor version, so it is refused even from a trusted key.
    @Test func aDigestOnlySignatureIsRefused() async throws {
        let trusted = Curve25519.Signing.PrivateKey()
        try await Self.withSignedHost(trusted) { test in
            let file = try test.install("noop.c", as: "old.so", defines: providerDefines(name: "old", provider: "old"))
            let digest = Data(SHA256.hash(data: try Data(contentsOf: URL(fileURLWithPath: file))))
            for encoded in [try trusted.signature(for: digest), Data(try trusted.signature(for: digest).base64EncodedString().utf8)] {
                try encoded.write(to: URL(fileURLWithPath: file + ".sig"))
                let report = await test.host.load(file: file)
                #expect(report.state == .failed)
                #expect(report.error?.check == .signature)
                #expect(report.error?.detail.contains("is a bare signature over the file's SHA-256 only (the old digest-only form), which is no longer accepted") == true,
                        "\(report.error?.description ?? "")")
            }
        }
    }

    /// A signature made for `rollback 1.0.0` vouches for nothing that says it is
    /// `rollback 1.1.0` or another plugin — refused before create, with the
    /// probe (its descriptor) and without it (the host's own descriptor read).
    @Test(arguments: [true, false])
    func aSignatureForAnotherNameOrVersionIsRefused(probe: Bool) async throws {
        let trusted = Curve25519.Signing.PrivateKey()
        try await Self.withSignedHost(trusted, probe: probe) { test in
            let newer = try test.install("noop.c", as: "newer.so", defines: providerDefines(name: "rollback", provider: "newer", version: "1.1.0"))
            try Self.sign(newer, name: "rollback", version: "1.0.0", with: trusted)
            let renamed = try test.install("noop.c", as: "renamed.so", defines: providerDefines(name: "other", provider: "renamed"))
            try Self.sign(renamed, name: "rollback", version: "1.0.0", with: trusted)

            let version = await test.host.load(file: newer)
            let name = await test.host.load(file: renamed)

            #expect(version.state == .failed && version.error?.check == .signature)
            #expect(version.error?.detail == "\(newer).sig was signed for rollback 1.0.0, but the plugin's descriptor says rollback 1.1.0; a signature vouches for one plugin name and version")
            #expect(name.state == .failed && name.error?.check == .signature)
            #expect(name.error?.detail.contains("was signed for rollback 1.0.0, but the plugin's descriptor says other 1.0.0") == true, "\(name.error?.description ?? "")")
            #expect(test.host.resolve(SlotKey(domain: "adapter", category: "bench")) == nil, "neither was registered")
        }
    }

    /// The README's OpenSSL recipe, run as written, signs a file the host accepts.
    @Test func theReadmeOpenSSLRecipeProducesASignatureTheHostAccepts() async throws {
        let scratchFolder = try TemporaryFolder("openssl")
        defer { scratchFolder.remove() }
        let scratch = scratchFolder.path
        let library = try FixturePlugins.install(try FixturePlugins.build("noop.c", defines: providerDefines(name: "mailgun", provider: "openssl")),
                                                 into: scratch, as: "libmailgun.so")
        try FixturePlugins.run("/bin/sh", ["-ec", """
            cd '\(scratch)'
            openssl genpkey -algorithm ed25519 -out signing-key.pem
            openssl pkey -in signing-key.pem -pubout -outform DER | tail -c 32 | base64 > trusted-key
            printf 'caphost-plugin-signature-v1\\n%s\\n%s\\n%s\\n' mailgun 1.0.0 \\
                "$(sha256sum libmailgun.so | cut -d' ' -f1)" > statement
            { cat statement; openssl pkeyutl -sign -rawin -inkey signing-key.pem -in statement | base64 -w0; echo; } > libmailgun.so.sig
            """])
        let key = try String(contentsOfFile: scratch + "/trusted-key", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        try await TestHost.with({
            $0.signatures.trustedKeys = [key]
            $0.signatures.requireSignatures = true
        }) { test in
            let file = try FixturePlugins.install(library, into: test.pluginsDirectory, as: "libmailgun.so")
            try FileManager.default.copyItem(atPath: library + ".sig", toPath: file + ".sig")

            let report = await test.host.load(file: file)

            #expect(report.state == .loaded, "\(report.error?.description ?? "")")
            #expect(report.signature == "signed by trusted key 0")
        }
    }

    @Test func aBadTrustedKeyIsAConfigurationErrorNamingIt() throws {
        #expect(throws: ConfigurationError(path: "signatures.trusted_keys[0]", detail: "is not a base64 32-byte Ed25519 public key")) {
            _ = try TestHost { $0.signatures.trustedKeys = ["not-a-key"] }
        }
    }
}
