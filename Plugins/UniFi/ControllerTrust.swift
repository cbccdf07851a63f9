import Foundation
import Crypto
import PluginKit

/// Which certificate a controller must present. UniFi controllers ship self-signed
/// certificates, so a location either pins the certificate's SHA-256 fingerprint or names the
/// CA file that signed it; without either, the system's trust store and the host name decide.
/// There is no setting that accepts any certificate.
enum ControllerTrust: Sendable, Equatable {
    /// The system trust store, with the URL's host (or `server_name`) checked.
    case system(serverName: String?)
    /// Only a certificate whose DER bytes hash to this SHA-256 (32 bytes) is accepted; its
    /// chain, names and dates are not consulted: the pin is the identity.
    case pinned(sha256: [UInt8])
    /// Chains that end at a certificate in this PEM file, with the host (or `server_name`)
    /// checked against the certificate.
    case caFile(path: String, serverName: String?)

    /// Reads `tls:`; a fingerprint is 64 hex digits, with or without `:` between the bytes.
    init(_ document: LocationConfiguration.TLSDocument?, field: String,
         fileExists: (String) -> Bool) throws(PluginError) {
        let serverName = document?.serverName
        switch (document?.fingerprintSHA256, document?.caFile) {
        case (let fingerprint?, nil):
            if serverName != nil {
                throw .invalidArgument("config: \(field).server_name has no effect with fingerprint_sha256 (a pinned certificate is accepted whatever its names); remove it")
            }
            guard let bytes = Self.fingerprintBytes(fingerprint) else {
                throw .invalidArgument("config: \(field).fingerprint_sha256 must be the certificate's SHA-256 as 64 hex digits (colons allowed), e.g. from `openssl x509 -in cert.pem -noout -fingerprint -sha256`; found \"\(fingerprint)\"")
            }
            self = .pinned(sha256: bytes)
        case (nil, let path?):
            guard path.hasPrefix("/") else {
                throw .invalidArgument("config: \(field).ca_file must be an absolute path, found \"\(path)\"")
            }
            guard fileExists(path) else {
                throw .invalidArgument("config: \(field).ca_file \(path) does not exist or cannot be read")
            }
            self = .caFile(path: path, serverName: serverName)
        case (nil, nil):
            self = .system(serverName: serverName)
        case (.some, .some):
            throw .invalidArgument("config: \(field) has both fingerprint_sha256 and ca_file; give one (a pinned certificate, or the CA that signed it)")
        }
    }

    /// `ab:cd:…` or `abcd…` as 32 bytes; nil when malformed.
    static func fingerprintBytes(_ text: String) -> [UInt8]? {
        let hex = text.replacingOccurrences(of: ":", with: "").trimmingCharacters(in: .whitespaces)
        guard hex.count == 64, hex.allSatisfy(\.isHexDigit) else { return nil }
        var bytes: [UInt8] = []
        var index = hex.startIndex
        while index < hex.endIndex {
            let next = hex.index(index, offsetBy: 2)
            bytes.append(UInt8(hex[index..<next], radix: 16)!)
            index = next
        }
        return bytes
    }

    /// `AB:CD:…`, the form openssl prints.
    static func fingerprintText(_ bytes: some Sequence<UInt8>) -> String {
        bytes.map { String($0, radix: 16, uppercase: true).leftPadded(to: 2) }.joined(separator: ":")
    }

    /// The SHA-256 of a certificate's DER bytes.
    static func fingerprint(ofDER der: [UInt8]) -> [UInt8] {
        Array(SHA256.hash(data: der))
    }

    /// How this trust is described in logs and `network_status`.
    var summary: String {
        switch self {
        case .system(let name): "system trust store" + (name.map { ", name \($0)" } ?? "")
        case .pinned(let bytes): "pinned certificate SHA-256 \(Self.fingerprintText(bytes))"
        case .caFile(let path, let name): "CA file \(path)" + (name.map { ", name \($0)" } ?? "")
        }
    }
}

extension String {
    /// The string with leading zeros up to `width` characters.
    func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
