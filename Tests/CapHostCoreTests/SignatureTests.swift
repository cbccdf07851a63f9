import CapHostCore
import CapHostTestSupport
import Crypto
import Foundation
import Testing

/// `NAME.so.sig`: an Ed25519 signature over the file's SHA-256, checked against
/// the configured trusted keys; `require_signatures` refuses unsigned files.
@Suite struct SignatureTests {
    @Test func signedLoadsUnsignedAndForgedAreRefused() async throws {
        let trusted = Curve25519.Signing.PrivateKey()
        let stranger = Curve25519.Signing.PrivateKey()
        let test = try TestHost {
            $0.signatures.trustedKeys = [trusted.publicKey.rawRepresentation.base64EncodedString()]
            $0.signatures.requireSignatures = true
        }
        func sign(_ file: String, with key: Curve25519.Signing.PrivateKey) throws {
            let digest = Data(SHA256.hash(data: try Data(contentsOf: URL(fileURLWithPath: file))))
            try key.signature(for: digest).base64EncodedString().write(toFile: file + ".sig", atomically: true, encoding: .utf8)
        }

        let signed = try test.install("noop.c", as: "signed.so", defines: providerDefines(name: "signed", provider: "signed"))
        try sign(signed, with: trusted)
        let report = await test.host.load(file: signed)
        #expect(report.state == .loaded)
        #expect(report.signature == "signed by trusted key 0")

        let unsigned = try test.install("noop.c", as: "unsigned.so", defines: providerDefines(name: "unsigned", provider: "unsigned"))
        let refused = await test.host.load(file: unsigned)
        #expect(refused.error?.check == .signature)
        #expect(refused.error?.detail == "unsigned: \(unsigned).sig is missing and require_signatures is true")

        let forged = try test.install("noop.c", as: "forged.so", defines: providerDefines(name: "forged", provider: "forged"))
        try sign(forged, with: stranger)
        #expect(await test.host.load(file: forged).error?.detail == "signature does not verify against any of the 1 trusted keys")

        // A signature for other bytes (the file was swapped after signing) fails too.
        try sign(forged, with: trusted)
        try test.install("noop.c", as: "forged.so", defines: providerDefines(name: "forged", provider: "forged", version: "9.9.9"))
        #expect(await test.host.load(file: forged).error?.check == .signature)
        await test.stop()
    }

    @Test func aBadTrustedKeyIsAConfigurationErrorNamingIt() throws {
        #expect(throws: ConfigurationError(path: "signatures.trusted_keys[0]", detail: "is not a base64 32-byte Ed25519 public key")) {
            _ = try TestHost { $0.signatures.trustedKeys = ["not-a-key"] }
        }
    }
}
