@preconcurrency import Crypto
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Verifies `NAME.so.sig`: an Ed25519 signature, by one of the trusted public
/// keys (32 bytes, base64 in the configuration), over the canonical
/// `SignatureStatement` naming the plugin, its version and the file's SHA-256.
/// The signature and the digest are checked here, before anything maps the
/// file; the name and version once the descriptor is read (`PluginSignature.confirm`).
public struct SignatureVerifier: @unchecked Sendable {
    /// Largest `.sig` file read: the statement is five short lines.
    static let maxSignatureFileSize = 4096

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

    /// Checks the signature beside `file` against the file's SHA-256 `digest`.
    public func verify(file: String, digest: String) throws(PluginLoadError) -> PluginSignature {
        let signaturePath = file + ".sig"
        func fail(_ detail: String) -> PluginLoadError { PluginLoadError(file: file, check: .signature, detail: detail) }
        var linkInfo = stat()
        guard lstat(signaturePath, &linkInfo) == 0 else {
            if requireSignatures {
                throw fail("unsigned: \(signaturePath) is missing and require_signatures is true")
            }
            return PluginSignature(note: "unsigned", statement: nil, signaturePath: signaturePath)
        }
        let raw: [UInt8]
        do throws(PluginLoadError) {
            let opened = try OpenedPluginFile(path: signaturePath)
            guard opened.size <= Self.maxSignatureFileSize else {
                throw fail("\(signaturePath) is \(opened.size) bytes; a signature file is at most \(Self.maxSignatureFileSize) bytes")
            }
            raw = try opened.readAll(limit: Self.maxSignatureFileSize)
        } catch {
            throw error.check == .signature ? error : fail("\(signaturePath): \(error.detail)")
        }
        let (statement, signature) = try parse(raw, path: signaturePath, file: file)
        let signed = Data(statement.signedBytes)
        guard let index = trustedKeys.firstIndex(where: { $0.isValidSignature(signature, for: signed) }) else {
            throw fail(trustedKeys.isEmpty
                ? "signed, but no trusted keys are configured (signatures.trusted_keys)"
                : "signature does not verify against any of the \(trustedKeys.count) trusted keys")
        }
        guard statement.digest == digest else {
            throw fail("\(signaturePath) vouches for SHA-256 \(statement.digest), but the file's SHA-256 is \(digest): the file is not the build that was signed")
        }
        return PluginSignature(note: "signed by trusted key \(index)", statement: statement, signaturePath: signaturePath)
    }

    /// The statement and signature of a v1 `.sig` file; anything else is refused with what was found.
    private func parse(_ raw: [UInt8], path: String, file: String) throws(PluginLoadError) -> (SignatureStatement, Data) {
        func fail(_ detail: String) -> PluginLoadError { PluginLoadError(file: file, check: .signature, detail: detail) }
        let text = String(decoding: raw, as: UTF8.self)
        let bareSignature = raw.count == 64
            || Data(base64Encoded: text.trimmingCharacters(in: .whitespacesAndNewlines))?.count == 64
        if bareSignature {
            throw fail("\(path) is a bare signature over the file's SHA-256 only (the old digest-only form), which is no longer accepted: it does not say which plugin name and version it vouches for. Re-sign the statement '\(SignatureStatement.header)\\n<name>\\n<version>\\n<sha256>\\n' (README, Loading)")
        }
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if lines.last == "" { lines.removeLast() }
        guard lines.first == SignatureStatement.header else {
            throw fail("\(path) starts with '\(String((lines.first ?? "").prefix(60)))'; expected the line \(SignatureStatement.header)")
        }
        guard lines.count == 5 else {
            throw fail("\(path) has \(lines.count) lines; expected 5: \(SignatureStatement.header), name, version, SHA-256 (hex), base64 signature")
        }
        let digest = lines[3]
        guard digest.utf8.count == 64, digest.utf8.allSatisfy({ (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }) else {
            throw fail("\(path) line 4 is '\(String(digest.prefix(80)))'; expected the file's SHA-256 as 64 lower-case hex digits")
        }
        guard let signature = Data(base64Encoded: lines[4].trimmingCharacters(in: .whitespaces)), signature.count == 64 else {
            throw fail("\(path) line 5 is not a base64 64-byte Ed25519 signature")
        }
        return (SignatureStatement(name: lines[1], version: lines[2], digest: digest), signature)
    }
}
