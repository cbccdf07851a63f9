@testable import CapHostServer
import Testing

/// The loopback and host-name rules behind the admin API's refusals, on the
/// spellings that fooled string-prefix checks.
@Suite struct RequestOriginPolicyTests {
    @Test func onlyRealLoopbackAddressesCountAsLoopback() throws {
        for address in ["127.0.0.1", "127.255.255.254", "::1", "::ffff:127.0.0.1", "localhost"] {
            var settings = AdminAPISettings()
            settings.address = address
            #expect(settings.isLoopback, "\(address)")
        }
        for address in ["127.example.com", "127.0.0.1.nip.io", "0.0.0.0", "::", "10.0.0.1", "localhost.example", "1270.0.0.1"] {
            var settings = AdminAPISettings()
            settings.address = address
            #expect(!settings.isLoopback, "\(address)")
            #expect(throws: AdminServerError.self, "\(address) without TLS") { try AdminServer.validate(settings) }
        }
    }

    @Test func hostHeadersAreParsedNotPrefixMatched() {
        let policy = RequestOriginPolicy(boundAddress: "127.0.0.1", allowedHosts: ["caphost.internal"])
        for host in ["127.0.0.1:7070", "localhost", "[::1]:7070", "127.3.2.1", "CapHost.Internal:443", "localhost.:7070"] {
            #expect(policy.refusal(host: host, origin: nil, method: "GET", contentType: nil, hasBody: false) == nil, "\(host)")
        }
        for host in ["127.0.0.1.evil.example", "127.example.com:7070", "evil.example", "localhost:70x", "[::1", "user@127.0.0.1", "", "caphost.internal.evil"] {
            #expect(policy.refusal(host: host, origin: nil, method: "GET", contentType: nil, hasBody: false)?.code == "host_not_allowed", "\(host)")
        }
        #expect(policy.refusal(host: nil, origin: "http://[::1]:7070", method: "GET", contentType: nil, hasBody: false) == nil)
        #expect(policy.refusal(host: nil, origin: "ws://127.0.0.1", method: "GET", contentType: nil, hasBody: false)?.code == "origin_not_allowed")
        #expect(policy.refusal(host: nil, origin: nil, method: "POST", contentType: "application/json", hasBody: true) == nil)
        #expect(policy.refusal(host: nil, origin: nil, method: "POST", contentType: "text/plain", hasBody: false) == nil)
        #expect(policy.refusal(host: nil, origin: nil, method: "POST", contentType: "text/json", hasBody: true)?.code == "unsupported_media_type")
    }
}
