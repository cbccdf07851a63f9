import CapHostCore
import CapHostTestSupport
import Foundation
import Testing

/// A controller's self-signed certificate is accepted through a pinned SHA-256 fingerprint or a
/// CA file, and through nothing else: a mismatch names both fingerprints, and no setting turns
/// verification off. Malformed configuration is refused at load, naming the field.
@Suite(.serialized) struct UniFiTLSTests {
    /// `AB:CD:…` of lower-case hex.
    static func colonHex(_ hex: String) -> String {
        stride(from: 0, to: hex.count, by: 2).map { offset -> String in
            let start = hex.index(hex.startIndex, offsetBy: offset)
            return hex[start..<hex.index(start, offsetBy: 2)].uppercased()
        }.joined(separator: ":")
    }

    @Test func onlyThePinnedOrCASignedCertificateIsAccepted() async throws {
        let certificate = try await SelfSignedCertificate.make()
        let other = try await SelfSignedCertificate.make()
        defer { certificate.remove(); other.remove() }
        try await UniFiControllerPeer.withPeer(kind: .unifiOS, certificate: certificate) { peer in
            let actual = try UniFiControllerPeer.certificateSHA256(certificate)
            let wrong = try UniFiControllerPeer.certificateSHA256(other)
            let locations = [
                try UniFiTestHost.location("pinned", peer),
                try UniFiTestHost.location("pinned-colons", peer, ["tls": ["fingerprint_sha256": Self.colonHex(actual).lowercased()]]),
                try UniFiTestHost.location("wrong-pin", peer, ["tls": ["fingerprint_sha256": wrong]]),
                try UniFiTestHost.location("ca-file", peer, ["tls": ["ca_file": certificate.certificatePath]]),
                try UniFiTestHost.location("other-ca", peer, ["tls": ["ca_file": other.certificatePath]]),
                try UniFiTestHost.location("no-tls-config", peer, ["tls": [String: Any]()]),
            ]
            try await UniFiTestHost.with(config: UniFiTestHost.config(locations)) { test in
                let records = try await test.call("network_status")["locations"] as? [[String: Any]] ?? []
                func error(_ name: String) -> [String: Any]? {
                    records.first { $0["location"] as? String == name }?["error"] as? [String: Any]
                }
                func message(_ name: String) -> String { error(name)?["message"] as? String ?? "" }
                for name in ["pinned", "pinned-colons", "ca-file"] {
                    #expect(error(name) == nil, "\(name): \(message(name))")
                }
                #expect(error("wrong-pin")?["status"] as? String == "UNAVAILABLE")
                #expect(message("wrong-pin").contains("presented a certificate with SHA-256 \(Self.colonHex(actual)), but the configured fingerprint_sha256 is \(Self.colonHex(wrong))"), "\(message("wrong-pin"))")
                #expect(message("other-ca").contains("certificate is not accepted with the CA file \(other.certificatePath)"), "\(message("other-ca"))")
                #expect(message("no-tls-config").contains("not trusted by the system trust store"), "\(message("no-tls-config"))")
                #expect(message("no-tls-config").contains("needs tls.fingerprint_sha256 or tls.ca_file"))
            }
        }
    }

    @Test func aCAFileChecksTheNameTheCertificateCarriesAndServerNameSaysWhichItIs() async throws {
        // A certificate for unifi.home.arpa only: the URL's 127.0.0.1 is not one of its names.
        let named = try await SelfSignedCertificate.make(commonName: "unifi.home.arpa", loopbackAddress: false)
        defer { named.remove() }
        try await UniFiControllerPeer.withPeer(kind: .classic, certificate: named) { peer in
            let locations = [
                try UniFiTestHost.location("by-name", peer, ["tls": ["ca_file": named.certificatePath, "server_name": "unifi.home.arpa"]]),
                try UniFiTestHost.location("by-address", peer, ["tls": ["ca_file": named.certificatePath]]),
                try UniFiTestHost.location("other-name", peer, ["tls": ["ca_file": named.certificatePath, "server_name": "unifi.office.arpa"]]),
            ]
            try await UniFiTestHost.with(config: UniFiTestHost.config(locations)) { test in
                #expect(try await test.status(of: "by-name")["error"] == nil)
                for (name, expected) in [("by-address", "does not name 127.0.0.1"), ("other-name", "does not name unifi.office.arpa")] {
                    let error = try await test.status(of: name)["error"] as? [String: Any]
                    #expect(error?["status"] as? String == "UNAVAILABLE")
                    #expect((error?["message"] as? String)?.contains(expected) == true, "\(name): \(String(describing: error))")
                }
            }
        }
    }

    @Test func malformedConfigurationIsRefusedAtLoadNamingTheField() async throws {
        let base: [String: Any] = ["name": "home", "url": "https://127.0.0.1:\(try LoopbackSocket.closedPort())", "username": "admin", "password": "secret-pass"]
        func failure(_ change: [String: Any], top: [String: Any] = [:]) async throws -> String {
            var location = base
            location.merge(change) { $1 }
            var config: [String: Any] = ["locations": [location]]
            config.merge(top) { $1 }
            return try await UniFiTestHost.loadFailure(config: config) ?? "loaded"
        }
        #expect(try await failure(["url": "http://127.0.0.1"]).contains("locations[0] (home).url must use https"))
        #expect(try await failure(["url": "https://127.0.0.1/manage"]).contains("must be https://host[:port] without a path"))
        #expect(try await failure(["tls": ["fingerprint_sha256": "12:34"]]).contains("locations[0] (home).tls.fingerprint_sha256 must be the certificate's SHA-256 as 64 hex digits"))
        #expect(try await failure(["tls": ["fingerprint_sha256": String(repeating: "ab", count: 32), "ca_file": "/etc/hosts"]]).contains("has both fingerprint_sha256 and ca_file"))
        #expect(try await failure(["tls": ["ca_file": "/nonexistent/ca.pem"]]).contains("tls.ca_file /nonexistent/ca.pem does not exist or cannot be read"))
        #expect(try await failure(["tls": ["ca_file": "relative.pem"]]).contains("tls.ca_file must be an absolute path"))
        #expect(try await failure(["kind": "cloud"]).contains("kind must be auto, classic, unifi-os or integration, found \"cloud\""))
        #expect(try await failure(["kind": "classic", "api_key": "k", "username": NSNull(), "password": NSNull()]).contains("API key, which only the integration API takes, but kind is classic"))
        #expect(try await failure(["api_key": "k"]).contains("has both a username/password and an API key"))
        #expect(try await failure(["username": NSNull(), "password": NSNull()]).contains("needs credentials"))
        #expect(try await failure(["name": "no spaces please"]).contains("name must be 1-64 letters"))
        #expect(try await failure(["gateway_mac": "not-a-mac"]).contains("gateway_mac must be a MAC address"))
        #expect(try await failure([:], top: ["timeout": 0]).contains("config: timeout must be 0.05...120.0 seconds, found 0.0"))
        let duplicate = try await UniFiTestHost.loadFailure(config: ["locations": [base, base]]) ?? "loaded"
        #expect(duplicate.contains("locations[1].name \"home\" is already the name of the location for https://127.0.0.1:"), "\(duplicate)")
        let insecure = try await failure(["tls": ["verify": false]])
        #expect(insecure.contains("config: locations[0].tls: unknown key 'verify'"), "\(insecure)")
        #expect(insecure.contains("there is no setting that turns certificate verification off"))
        #expect(try await failure([:], top: ["cache_tll": 5]).contains("config: unknown key 'cache_tll'"))
        // Durations as caphost.yaml writes them are read; this load then fails only because
        // nothing listens at the location's (loopback) address.
        let unreachable = try await failure([:], top: ["timeout": "250ms", "cache_ttl": "2s", "stale_after": "5m"])
        #expect(unreachable.contains("no location can be read: home: UNAVAILABLE: cannot connect to https://127.0.0.1:"), "\(unreachable)")
        let none = try await UniFiTestHost.loadFailure(config: [:]) ?? "loaded"
        #expect(none.contains("no locations configured"), "\(none)")
        // The password is never in a refusal.
        #expect(!(try await failure(["tls": ["fingerprint_sha256": "zz"]])).contains("secret-pass"))
    }
}
