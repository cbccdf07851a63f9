import Foundation
import OneiricWire

extension AdapterRegistrySettings {
    /// Checks every setting and returns the address to bind. Refuses to expose
    /// the registry beyond loopback without both TLS and a token, as the HTTP
    /// admin API does: the catalog names every plugin file on the host.
    func validated() throws(AdapterRegistrySettingsError) -> ListenAddress {
        guard let listenAddress = ListenAddress(address) else { throw .invalidAddress(address) }
        guard (0...65_535).contains(port) else { throw .invalidPort(port) }
        guard RegistryMethod.isValidPackage(package) else { throw .invalidPackage(package) }
        if let token, token.isEmpty { throw .emptyToken }
        if let jwt, jwt.secret.count < 16 { throw .weakJWTSecret(bytes: jwt.secret.count) }
        if !listenAddress.isLoopback {
            let missing = (tls == nil ? ["TLS (certificate and key)"] : []) + (requiresCredentials ? [] : ["a token or a JWT secret"])
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
