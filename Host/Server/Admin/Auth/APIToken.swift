import Crypto
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The bearer token every `/v1` route, `/metrics` and `/mcp` require: read from
/// the state directory, or generated there (mode 0600) at first start.
public struct APIToken: Sendable {
    public let value: String
    /// Where it is kept, for messages ("the token is in …").
    public let path: String
    /// The token's UTF-8, kept so a request's check allocates nothing.
    private let bytes: [UInt8]

    public init(value: String, path: String) {
        self.value = value
        self.path = path
        self.bytes = Array(value.utf8)
    }

    /// The file name inside the state directory.
    public static let fileName = "api-token"

    /// Reads `<stateDirectory>/api-token`, creating it with a fresh 256-bit
    /// random token when it does not exist. A token file readable by others is
    /// refused: anyone who can read it can drive the host.
    public static func loadOrCreate(stateDirectory: String) throws -> APIToken {
        try FileManager.default.createDirectory(atPath: stateDirectory, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
        let path = (stateDirectory as NSString).appendingPathComponent(fileName)
        var info = stat()
        if stat(path, &info) == 0 {
            if info.st_mode & 0o077 != 0 {
                throw APITokenError(message: "\(path) is readable by others (mode \(String(info.st_mode & 0o777, radix: 8))); run chmod 600 \(path)")
            }
            let text = try String(contentsOfFile: path, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
            guard text.count >= 16 else {
                throw APITokenError(message: "\(path) holds a token of \(text.count) characters; expected at least 16 (delete the file to generate a new one)")
            }
            return APIToken(value: text, path: path)
        }
        let token = SymmetricKey(size: .bits256).withUnsafeBytes { bytes in
            Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-")
                .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
        }
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw APITokenError(message: "cannot create \(path): \(String(cString: strerror(errno)))")
        }
        defer { close(descriptor) }
        let bytes = Array((token + "\n").utf8)
        guard write(descriptor, bytes, bytes.count) == bytes.count else {
            throw APITokenError(message: "cannot write \(path): \(String(cString: strerror(errno)))")
        }
        return APIToken(value: token, path: path)
    }

    /// Compares in constant time (for equal lengths).
    func matches(_ candidate: UnsafeBufferPointer<UInt8>) -> Bool {
        guard candidate.count == bytes.count else { return false }
        var difference: UInt8 = 0
        for (expected, given) in zip(bytes, candidate) { difference |= expected ^ given }
        return difference == 0
    }
}

/// The token file could not be read or created.
public struct APITokenError: Error, CustomStringConvertible, Sendable {
    public let message: String
    public var description: String { message }
}
