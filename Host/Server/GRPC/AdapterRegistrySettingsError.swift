/// Why `AdapterRegistryServer` refused its settings. Each message names the
/// setting, what it holds and what would work.
public enum AdapterRegistrySettingsError: Error, Sendable, Hashable, CustomStringConvertible {
    /// `address` is not an IP address.
    case invalidAddress(String)
    /// `port` is outside 0…65535.
    case invalidPort(Int)
    /// `package` is not a dotted proto package name.
    case invalidPackage(String)
    /// `token` is set but empty.
    case emptyToken
    /// The JWT secret is too short to resist guessing.
    case weakJWTSecret(bytes: Int)
    /// A non-loopback address without TLS and a token; lists what is missing.
    case exposedWithoutProtection(address: String, missing: [String])
    /// A TLS file cannot be read.
    case unreadableTLSFile(setting: String, path: String, reason: String)

    public var description: String {
        switch self {
        case .invalidAddress(let address):
            "grpc address '\(address)' is not an IP address; expected an IPv4 or IPv6 literal such as 127.0.0.1 or ::1 (or 'localhost')"
        case .invalidPort(let port):
            "grpc port \(port) is out of range; expected 0…65535 (0 picks a free port)"
        case .invalidPackage(let package):
            "grpc package '\(package)' is not a proto package name; expected dot-separated identifiers of letters, digits and '_' not starting with a digit, e.g. \(AdapterRegistrySettings.defaultPackage)"
        case .emptyToken:
            "grpc token is empty; set a non-empty token or leave it out to serve without authentication"
        case .weakJWTSecret(let bytes):
            "grpc jwt secret has \(bytes) bytes; expected at least 16 (32 random bytes, e.g. `openssl rand -hex 32`)"
        case .exposedWithoutProtection(let address, let missing):
            "refusing to serve the gRPC registry on non-loopback address \(address) without \(missing.joined(separator: " and ")); configure both, or bind 127.0.0.1"
        case .unreadableTLSFile(let setting, let path, let reason):
            "grpc \(setting) '\(path)' cannot be read: \(reason)"
        }
    }
}
