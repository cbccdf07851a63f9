@preconcurrency import Crypto
import Foundation

/// Verifies `NAME.so.sig`: an Ed25519 signature (64 bytes, raw or base64) over
/// the file's 32-byte SHA-256 digest, by one of the trusted public keys
/// (32 bytes, base64 in the configuration).
public struct SignatureVerifier: @unchecked Sendable {
    public let trustedKeys: [Curve25519.Signing.PublicKey]
    public let requireSignatures: Bool

    /// Decodes base64 public keys; a bad key is an error naming its position.
    public init(trustedKeysBase64: [String], requireSignatures: Bool) throws {
        self.trustedKeys = try trustedKeysBase64.enumerated().map { index, text in
            guard let raw = Data(base64Encoded: text.trimmingCharacters(in: .whitespaces)), raw.count == 32 else {
                throw ConfigurationError(path: "signatures.trusted_keys[\(index)]", detail: "is not a base64 32-byte Ed25519 public key")
            }
            return try Curve25519.Signing.PublicKey(rawRepresentation: raw)
        }
        self.requireSignatures = requireSignatures
    }

    /// Checks the signature beside `file` over `contents`. Returns a note for the
    /// plugin report ("signed by key 0", "unsigned").
    public func verify(file: String, contents: [UInt8]) throws(PluginLoadError) -> String {
        let signaturePath = file + ".sig"
        guard let raw = FileManager.default.contents(atPath: signaturePath) else {
            if requireSignatures {
                throw PluginLoadError(file: file, check: .signature, detail: "unsigned: \(signaturePath) is missing and require_signatures is true")
            }
            return "unsigned"
        }
        let signature: Data
        if raw.count == 64 {
            signature = raw
        } else if let decoded = Data(base64Encoded: String(decoding: raw, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)), decoded.count == 64 {
            signature = decoded
        } else {
            throw PluginLoadError(file: file, check: .signature, detail: "\(signaturePath) is \(raw.count) bytes; expected a 64-byte Ed25519 signature, raw or base64")
        }
        let digest = Data(SHA256.hash(data: contents))
        for (index, key) in trustedKeys.enumerated() where key.isValidSignature(signature, for: digest) {
            return "signed by trusted key \(index)"
        }
        throw PluginLoadError(file: file, check: .signature,
            detail: trustedKeys.isEmpty
                ? "signed, but no trusted keys are configured (signatures.trusted_keys)"
                : "signature does not verify against any of the \(trustedKeys.count) trusted keys")
    }
}
