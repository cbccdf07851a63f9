import CapHostTestSupport
import Foundation
import Testing

/// What a web page in a browser on the operator's machine could send: a
/// request under a re-pointed DNS name (rebinding), from a foreign origin, or
/// a "simple" cross-site POST. Each is refused before routing, token or not.
@Suite(.serialized) struct BrowserRequestTests {
    @Test func aForeignHostOriginOrContentTypeIsRefusedEvenWithTheToken() async throws {
        let host = try ServedHost(plugins: ["noop.so": try FixturePlugins.build("noop.c")])
        try await host.start()
        let port = host.port
        let token = "Authorization: Bearer \(host.token)"

        // DNS rebinding: the page's own name arrives in Host.
        for name in ["attacker.example:\(port)", "attacker.example", "127.0.0.1.attacker.example", "127.example.com", "localhost.attacker.example:\(port)", "[::2]:\(port)", "a@127.0.0.1"] {
            let response = try RawHTTP.exchange(port: port, "GET /v1/plugins HTTP/1.1\r\nHost: \(name)\r\n\(token)")
            #expect(response.status == 421, "Host: \(name) answered \(response.status)")
            #expect(response.body.contains("host_not_allowed"), "\(response.body)")
            let health = try RawHTTP.exchange(port: port, "GET /healthz HTTP/1.1\r\nHost: \(name)")
            #expect(health.status == 421, "GET /healthz with Host: \(name) answered \(health.status)")
        }
        for name in ["localhost:\(port)", "127.0.0.1:\(port)", "127.1.2.3", "[::1]:\(port)", "LOCALHOST"] {
            let response = try RawHTTP.exchange(port: port, "GET /v1/plugins HTTP/1.1\r\nHost: \(name)\r\n\(token)")
            #expect(response.status == 200, "Host: \(name) answered \(response.status): \(response.body.prefix(200))")
        }

        // A foreign Origin (a page's fetch) is refused; a loopback one is not.
        for origin in ["http://attacker.example", "https://attacker.example:\(port)", "null", "file://", "http://127.0.0.1.attacker.example"] {
            let response = try host.authorized("GET", "/v1/plugins", headers: ["Origin: \(origin)"])
            #expect(response.status == 403, "Origin: \(origin) answered \(response.status)")
            #expect(response.body.contains("origin_not_allowed"), "\(response.body)")
        }
        #expect(try host.authorized("GET", "/v1/plugins", headers: ["Origin: http://127.0.0.1:\(port)"]).status == 200)
        #expect(try host.authorized("GET", "/v1/plugins", headers: ["Origin: http://localhost:\(port)"]).status == 200)

        // The bodies a cross-site form or a preflight-free fetch can send are refused.
        let invoke = "/v1/invoke/adapter/bench/echo"
        for type in ["text/plain", "text/plain;charset=UTF-8", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", nil] as [String?] {
            let headers = type.map { ["Content-Type: \($0)"] } ?? []
            let response = try host.authorized("POST", invoke, headers: headers, body: #"{"text":"x"}"#)
            #expect(response.status == 415, "Content-Type \(type ?? "none") answered \(response.status)")
            #expect(response.body.contains("unsupported_media_type"), "\(response.body)")
            #expect(response.body.contains("must send Content-Type: application"), "the refusal says what to send: \(response.body)")
        }
        for type in ["application/json", "application/json; charset=utf-8", "application/merge-patch+json"] {
            let response = try host.authorized("POST", invoke, headers: ["Content-Type: \(type)"], body: #"{"text":"x"}"#)
            #expect(response.status == 200, "Content-Type \(type) answered \(response.status): \(response.body)")
        }
        let resolve = try host.authorized("POST", "/v1/resolve", headers: ["Content-Type: application/json"], body: #"{"slot":"adapter:bench"}"#)
        #expect(resolve.status == 200, "\(resolve.body)")
        // A POST without a body needs no content type (swap, drain …).
        let drain = try host.authorized("POST", "/v1/capabilities/adapter/bench/noop/drain")
        #expect(drain.status == 200, "\(drain.body)")
        await host.stop()
    }

    @Test func allowedHostsAdmitAConfiguredName() async throws {
        let host = try ServedHost(plugins: ["noop.so": try FixturePlugins.build("noop.c")],
                                  config: "http:\n  allowed_hosts: [caphost.internal]\n")
        try await host.start()
        let allowed = try RawHTTP.exchange(port: host.port, "GET /v1/plugins HTTP/1.1\r\nHost: caphost.internal:\(host.port)\r\nAuthorization: Bearer \(host.token)")
        #expect(allowed.status == 200, "\(allowed.body)")
        let other = try RawHTTP.exchange(port: host.port, "GET /v1/plugins HTTP/1.1\r\nHost: other.internal\r\nAuthorization: Bearer \(host.token)")
        #expect(other.status == 421)
        #expect(other.body.contains("caphost.internal"), "the refusal names what is allowed: \(other.body)")
        await host.stop()
    }
}
