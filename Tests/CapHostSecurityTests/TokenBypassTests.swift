import CapHostTestSupport
import Foundation
import Testing

/// Nothing but `/healthz` and `/readyz` answers without the bearer token,
/// however the path is spelt: the check runs on the path as the router reads
/// it, and denies by default.
@Suite(.serialized) struct TokenBypassTests {
    @Test func noSpellingOfAProtectedPathGetsInWithoutTheToken() async throws {
        let host = try ServedHost(plugins: ["noop.so": try FixturePlugins.build("noop.c")])
        try await host.start()
        let gets = ["/v1/plugins", "//v1/plugins", "///v1/plugins", "/v1//plugins", "//v1//capabilities", "/v1/plugins/",
                    "//metrics", "/metrics/", "//mcp", "/./v1/plugins", "/v1/./plugins", "/healthz/../v1/plugins",
                    "/V1/plugins", "/v1/plugins?token=x", "//v1/events", "/v1/capabilities/adapter/bench/explain",
                    "//v1/capabilities/adapter/bench/explain", "/nonexistent", "//", "/v1"]
        for path in gets {
            let response = try host.anonymous("GET", path)
            #expect(response.status == 401, "GET \(path) answered \(response.status) without a token: \(response.body.prefix(200))")
            #expect(response.header("WWW-Authenticate") == #"Bearer realm="caphost""#, "GET \(path)")
            #expect(!response.body.contains(host.stateDirectory) && !response.body.contains("api-token\""), "GET \(path) shows where the token is: \(response.body)")
        }
        // The absolute form of the request target names the same route.
        let absolute = try RawHTTP.exchange(port: host.port, RawHTTP.head("GET", "http://127.0.0.1:\(host.port)/v1/plugins", port: host.port))
        #expect(absolute.status == 401 || absolute.status == 400, "absolute-form target answered \(absolute.status)")

        let posts = ["//v1/invoke/adapter/bench/echo", "//v1/invoke/adapter/bench/noop/echo", "/v1//invoke/adapter/bench/echo",
                     "//v1/capabilities/adapter/bench/swap", "//v1/resolve", "//mcp"]
        for path in posts {
            let response = try host.anonymous("POST", path, headers: ["Content-Type: application/json"], body: #"{"text":"x"}"#)
            #expect(response.status == 401, "POST \(path) answered \(response.status) without a token: \(response.body.prefix(200))")
        }
        for method in ["PUT", "DELETE"] {
            let response = try host.anonymous(method, "//v1/capabilities/adapter/bench/pin", headers: ["Content-Type: application/json"],
                                              body: #"{"provider":"noop"}"#)
            #expect(response.status == 401, "\(method) //…/pin answered \(response.status)")
        }
        // A wrong token and a wrong scheme are refused alike, and say nothing of where the token lives.
        for authorization in ["Bearer wrong-token-000000000000", "Basic YXBpOmtleQ==", "Bearer", "bearer  " + String(repeating: "x", count: 5000)] {
            let response = try host.anonymous("GET", "//v1/plugins", headers: ["Authorization: \(authorization)"])
            #expect(response.status == 401, "Authorization: \(authorization.prefix(40)) answered \(response.status)")
            #expect(!response.body.contains(host.stateDirectory), "\(response.body)")
            #expect(response.body.count < 1_000, "the refusal echoes what it was sent")
        }
        // The public routes stay public, and the token still works on every spelling the router accepts.
        #expect(try host.anonymous("GET", "/healthz").status == 200)
        #expect(try host.anonymous("GET", "/readyz").status == 200)
        #expect(try host.authorized("GET", "//v1/plugins").status == 200)
        let invoked = try host.authorized("POST", "//v1/invoke/adapter/bench/echo", headers: ["Content-Type: application/json"],
                                          body: #"{"text":"x"}"#)
        #expect(invoked.status == 200, "\(invoked.body)")
        await host.stop()
    }

    /// `POST /v1/invoke/…` is answered before the router (`AdminResponder`); its
    /// token check reads the header exactly as every routed request's does.
    @Test func theInvokePathReadsTheAuthorizationHeaderAsEveryRouteDoes() async throws {
        let host = try ServedHost(plugins: ["noop.so": try FixturePlugins.build("noop.c")])
        try await host.start()
        let json = ["Content-Type: application/json"]
        for (authorization, message) in [("Basic YXBpOmtleQ==", "found scheme 'Basic'"), ("Bearer", "found scheme 'Bearer'"),
                                         ("Bearer wrong-token-000000000000", "wrong bearer token")] {
            for path in ["/v1/invoke/adapter/bench/echo", "/v1/plugins"] {
                let response = try host.anonymous(path.contains("invoke") ? "POST" : "GET", path,
                                                  headers: ["Authorization: \(authorization)"] + (path.contains("invoke") ? json : []),
                                                  body: path.contains("invoke") ? #"{"text":"x"}"# : "")
                #expect(response.status == 401 && response.body.contains(message), "\(authorization) on \(path): \(response.status) \(response.body)")
            }
        }
        // The scheme in any case, and spaces before the token, as RFC 9110 allows.
        for authorization in ["bearer \(host.token)", "BEARER   \(host.token)"] {
            let response = try host.anonymous("POST", "/v1/invoke/adapter/bench/echo", headers: ["Authorization: \(authorization)"] + json,
                                              body: #"{"text":"x"}"#)
            #expect(response.status == 200, "\(authorization.prefix(10))…: \(response.status) \(response.body)")
        }
        await host.stop()
    }
}
