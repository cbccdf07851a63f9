import Foundation

/// A throwaway certificate and its key, made with the openssl command in a
/// private temporary folder: for `localhost` / 127.0.0.1 (a server), or any
/// common name (a client that is its own authority).
public struct SelfSignedCertificate: Sendable {
    public let folder: String
    public var certificatePath: String { folder + "/cert.pem" }
    public var keyPath: String { folder + "/key.pem" }

    /// `loopbackAddress` false leaves 127.0.0.1 out of the names, so only `commonName` names the
    /// server (for tests of host-name checks).
    public static func make(commonName: String = "localhost", loopbackAddress: Bool = true) async throws -> SelfSignedCertificate {
        let folder = NSTemporaryDirectory() + "caphost-tls-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: false,
                                                attributes: [.posixPermissions: 0o700])
        let certificate = SelfSignedCertificate(folder: folder)
        let openssl = ["/usr/bin/openssl", "/bin/openssl"].first { FileManager.default.isExecutableFile(atPath: $0) }
        guard let openssl else {
            certificate.remove()
            throw FixtureError("the TLS test needs the openssl command (Debian package openssl)")
        }
        let output = try await PeerProcess.run(openssl, [
            "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-keyout", certificate.keyPath, "-out", certificate.certificatePath, "-days", "1",
            "-subj", "/CN=\(commonName)", "-addext", "subjectAltName=DNS:\(commonName)\(loopbackAddress ? ",IP:127.0.0.1" : "")",
        ], timeout: .seconds(60))
        guard output.status == 0 else {
            certificate.remove()
            throw FixtureError("openssl could not make a test certificate (exit \(output.status)): \(output.stderr)")
        }
        return certificate
    }

    public func remove() {
        try? FileManager.default.removeItem(atPath: folder)
    }
}
