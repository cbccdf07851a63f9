import Foundation

/// The canonical statement a plugin signature covers (format v1): four lines,
/// each ending in `\n`, signed byte for byte with Ed25519:
///
///     caphost-plugin-signature-v1
///     <plugin name, as in the descriptor>
///     <plugin version, as in the descriptor>
///     <lower-case hex SHA-256 of the .so file>
///
/// `NAME.so.sig` holds these four lines followed by a fifth: the base64
/// signature of the first four. Binding name and version as well as the digest
/// means a signature says which plugin build it vouches for, and the host
/// checks the loaded descriptor against it.
public struct SignatureStatement: Sendable, Hashable {
    /// The first line of every v1 statement.
    public static let header = "caphost-plugin-signature-v1"

    public let name: String
    public let version: String
    /// Lower-case hex SHA-256 of the plugin file.
    public let digest: String

    public init(name: String, version: String, digest: String) {
        self.name = name
        self.version = version
        self.digest = digest
    }

    /// The exact bytes that are signed.
    public var signedBytes: [UInt8] { Array("\(Self.header)\n\(name)\n\(version)\n\(digest)\n".utf8) }

    /// The contents of a `.sig` file: the statement, then the base64 signature line.
    public func signatureFile(signature: [UInt8]) -> String {
        String(decoding: signedBytes, as: UTF8.self) + Data(signature).base64EncodedString() + "\n"
    }
}
