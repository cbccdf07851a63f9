import Foundation

extension AdapterRegistrySettings {
    /// Checks every setting and returns the address to bind. Refuses to expose
    /// the registry beyond loopback without both TLS and a token, as the HTTP
    /// admin API does: the catalog names every plugin file on the host.
    func validated() throws(AdapterRegistrySettingsError) -> ListenAddress {
        guard let listenAddress = ListenAddress(address) else { throw .invalidAddress(address) }
        guard (0...65_535).contains(port) else { throw .invalidPort(port) }
        guard Self.isProtoPackageName(package) else { throw .invalidPackage(package) }
        if let token, token.isEmpty { throw .emptyToken }
        if !listenAddress.isLoopback {
            let missing = (tls == nil ? ["TLS (certificate and key)"] : []) + (token == nil ? ["a token"] : [])
            guard missing.isEmpty else { throw .exposedWithoutProtection(address: address, missing: missing) }
        }
        if let tls {
            try Self.checkReadable(tls.certificateChainPath, setting: "TLS certificate chain")
            try Self.checkReadable(tls.privateKeyPath, setting: "TLS private key")
            if let authority = tls.clientCertificateAuthorityPath {
                try Self.checkReadable(authority, setting: "TLS client certificate authority")
            }
        }
        return listenAddress
    }

    /// `ident(.ident)*` with proto identifiers: letters, digits, `_`, not starting with a digit.
    static func isProtoPackageName(_ name: String) -> Bool {
        let parts = name.split(separator: ".", omittingEmptySubsequences: false)
        return !name.isEmpty && parts.allSatisfy { part in
            guard let first = part.unicodeScalars.first, !("0"..."9").contains(first) else { return false }
            return part.unicodeScalars.allSatisfy { $0.isASCII && ($0 == "_" || $0.properties.isAlphabetic || ("0"..."9").contains($0)) }
        }
    }

    /// Fails before binding, naming the setting and the path: the TLS stack's
    /// own error would name neither.
    private static func checkReadable(_ path: String, setting: String) throws(AdapterRegistrySettingsError) {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw .unreadableTLSFile(setting: setting, path: path, reason: "no such file")
        }
        guard !isDirectory.boolValue else {
            throw .unreadableTLSFile(setting: setting, path: path, reason: "it is a directory; expected a PEM file")
        }
        guard FileManager.default.isReadableFile(atPath: path) else {
            throw .unreadableTLSFile(setting: setting, path: path, reason: "permission denied")
        }
    }
}
