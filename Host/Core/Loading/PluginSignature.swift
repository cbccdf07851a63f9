/// A verified `NAME.so.sig`: what it says about the file, for the report and
/// for the check that the loaded descriptor is the plugin that was signed.
///
/// The signature binds the file's SHA-256 *and* the plugin's name and version
/// (`SignatureStatement`). The digest is checked before anything maps the file;
/// the name and version as soon as the descriptor has been read, before
/// `create` runs: a signature made for `mailgun 1.0.0` does not vouch for a
/// file that says it is `mailgun 1.1.0` or `outbox 1.0.0`.
public struct PluginSignature: Sendable, Hashable {
    /// For the plugin report: "signed by trusted key 0", "unsigned".
    public let note: String
    /// The signed statement, nil for an unsigned file (allowed unless `require_signatures`).
    public let statement: SignatureStatement?
    /// Where the signature was read from.
    public let signaturePath: String

    public init(note: String, statement: SignatureStatement?, signaturePath: String) {
        self.note = note
        self.statement = statement
        self.signaturePath = signaturePath
    }

    /// Refuses `descriptor` unless it names the plugin and version that were signed.
    public func confirm(_ descriptor: PluginDescriptor, file: String) throws(PluginLoadError) {
        guard let statement else { return }
        let signedVersion = SemanticVersion(statement.version)
        guard statement.name == descriptor.name, signedVersion == descriptor.version else {
            throw PluginLoadError(file: file, check: .signature,
                detail: "\(signaturePath) was signed for \(statement.name) \(statement.version), but the plugin's descriptor says \(descriptor.name) \(descriptor.version); a signature vouches for one plugin name and version")
        }
    }
}
