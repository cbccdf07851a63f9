import CapHostCore
import CapHostServer
import CapHostTestSupport
import Foundation
import Testing

/// Every admin route against a real server on loopback over a real host with C plugins.
@Suite struct AdminAPITests {
    static let slot = "adapter:bench"

    /// Runs `body` against a server over two providers of adapter:bench (alpha
    /// priority 10, beta 5), and stops the server and host afterwards.
    static func withProviders(_ body: (AdminAPIHarness) async throws -> Void) async throws {
        try await AdminAPIHarness.withTwoProviders(body)
    }

    @Test func everyV1RouteNeedsTheToken() async throws {
        try await Self.withProviders { harness in
            let routes: [(HTTPMethodName, String)] = [
                (.GET, "/v1/plugins"), (.GET, "/v1/capabilities"), (.GET, "/v1/capabilities/adapter/bench/explain"),
                (.POST, "/v1/resolve"), (.POST, "/v1/invoke/adapter/bench/echo"), (.POST, "/v1/invoke/adapter/bench/alpha/echo"),
                (.POST, "/v1/capabilities/adapter/bench/swap"), (.PUT, "/v1/capabilities/adapter/bench/pin"),
                (.DELETE, "/v1/capabilities/adapter/bench/pin"), (.POST, "/v1/capabilities/adapter/bench/alpha/drain"),
                (.POST, "/v1/capabilities/adapter/bench/alpha/resume"), (.GET, "/v1/events"), (.GET, "/v1/no-such-route"),
                (.GET, "/metrics"),
            ]
            for (method, path) in routes {
                let missing = try await harness.request(method.nio, path, body: "{}", authorized: false)
                #expect(missing.status == 401, "\(method) \(path) without a token answered \(missing.status)")
                let object = try harness.json(missing.body)
                #expect(object["code"] as? String == "unauthorized")
                #expect((object["message"] as? String)?.contains("api-token") == true)
                let wrong = try await harness.request(method.nio, path, body: "{}", headers: [("Authorization", "Bearer wrong-token-wrong-token")],
                                                      authorized: false)
                #expect(wrong.status == 401, "\(method) \(path) with a wrong token answered \(wrong.status)")
            }
            // Health and readiness stay open for probes.
            #expect(try await harness.request(.GET, "/healthz", authorized: false).status == 200)
            #expect(try await harness.request(.GET, "/readyz", authorized: false).status == 200)
        }
    }

    @Test func catalogRoutes() async throws {
        try await Self.withProviders { harness in
            let plugins = try harness.json(try await harness.request(.GET, "/v1/plugins").body)
            let files = (plugins["plugins"] as? [[String: Any]])?.compactMap { ($0["file"] as? String).map { ($0 as NSString).lastPathComponent } }
            #expect(files == ["libalpha.so", "libbeta.so"])

            let capabilities = try harness.json(try await harness.request(.GET, "/v1/capabilities").body)
            let slots = capabilities["capabilities"] as? [[String: Any]]
            #expect(slots?.count == 1)
            #expect(slots?.first?["active"] as? String == "adapter:bench:alpha")

            let explain = try await harness.request(.GET, "/v1/capabilities/adapter/bench/explain")
            #expect(explain.status == 200)
            let explanation = try harness.json(explain.body)
            #expect((explanation["decidedBy"] as? String)?.contains("priority") == true)
            #expect((explanation["candidates"] as? [[String: Any]])?.count == 2)

            let resolved = try harness.json(try await harness.request(.POST, "/v1/resolve", body: #"{"slot":"adapter:bench"}"#).body)
            #expect(resolved["provider"] as? String == "adapter:bench:alpha")

            let unknown = try await harness.request(.GET, "/v1/capabilities/adapter/nothing/explain")
            #expect(unknown.status == 404)
            #expect(try harness.json(unknown.body)["code"] as? String == "unknown_slot")

            let badSlot = try await harness.request(.POST, "/v1/resolve", body: #"{"slot":"no-colon"}"#)
            #expect(badSlot.status == 400)
            #expect((try harness.json(badSlot.body)["message"] as? String)?.contains("expected 'domain:category', found 'no-colon'") == true)

            let notJSON = try await harness.request(.POST, "/v1/resolve", body: "{slot")
            #expect(notJSON.status == 400)
            #expect(try harness.json(notJSON.body)["code"] as? String == "invalid_argument")

            let missingField = try await harness.request(.POST, "/v1/resolve", body: "{}")
            #expect((try harness.json(missingField.body)["message"] as? String)?.contains("missing field 'slot'") == true)

            let noRoute = try await harness.request(.GET, "/v1/nothing")
            #expect(noRoute.status == 404)
            #expect(try harness.json(noRoute.body)["code"] as? String == "no_route")
        }
    }

    @Test func invokeRoutes() async throws {
        try await Self.withProviders { harness in
            let echoed = try await harness.request(.POST, "/v1/invoke/adapter/bench/echo", body: #"{"hello":"wörld"}"#)
            #expect(echoed.status == 200)
            #expect(String(decoding: echoed.body, as: UTF8.self) == #"{"hello":"wörld"}"#)
            #expect(echoed.headers.first(name: "Caphost-Provider") == "adapter:bench:alpha")

            let direct = try await harness.request(.POST, "/v1/invoke/adapter/bench/beta/echo", body: "[1,2,3]")
            #expect(direct.status == 200)
            #expect(direct.headers.first(name: "Caphost-Provider") == "adapter:bench:beta")

            let unknownMethod = try await harness.request(.POST, "/v1/invoke/adapter/bench/nope", body: "{}")
            #expect(unknownMethod.status == 404)
            let error = try harness.json(unknownMethod.body)
            #expect(error["code"] as? String == "unknown_method")
            #expect(error["provider"] as? String == "adapter:bench:alpha")

            let unknownSlot = try await harness.request(.POST, "/v1/invoke/adapter/none/echo", body: "{}")
            #expect(unknownSlot.status == 404)
            #expect(try harness.json(unknownSlot.body)["code"] as? String == "unknown_slot")

            let slow = try await harness.request(.POST, "/v1/invoke/adapter/bench/sleep", body: "2000", headers: [("Caphost-Timeout", "0.2")])
            #expect(slow.status == 504)
            #expect(try harness.json(slow.body)["code"] as? String == "timeout")

            let badTimeout = try await harness.request(.POST, "/v1/invoke/adapter/bench/echo", body: "{}", headers: [("Caphost-Timeout", "soon")])
            #expect(badTimeout.status == 400)

            for path in ["/v1/invoke/adapter/bench", "/v1/invoke/adapter/bench/alpha/echo/extra"] {
                let misshapen = try await harness.request(.POST, path, body: "{}")
                #expect(misshapen.status == 404, "\(path): \(misshapen.status)")
                let message = try harness.json(misshapen.body)["message"] as? String ?? ""
                #expect(message.contains("expected /v1/invoke/{domain}/{category}/{method} or /v1/invoke/{domain}/{category}/{provider}/{method}"),
                        "\(path): \(message)")
            }
        }
    }

    /// The server keeps the call site of an invoke path it served (`InvokeTargets`):
    /// a kept path still reaches the slot's winner of the moment, and a path that
    /// did not resolve is not kept, so it answers once a plugin provides it.
    @Test func keptInvokePathsFollowTheWinnerAndUnresolvedOnesAreLookedUpAgain() async throws {
        try await Self.withProviders { harness in
            let path = "/v1/invoke/adapter/bench/echo"
            #expect(try await harness.request(.POST, path, body: "{}").headers.first(name: "Caphost-Provider") == "adapter:bench:alpha")
            #expect(try await harness.request(.PUT, "/v1/capabilities/adapter/bench/pin", body: #"{"provider":"beta"}"#).status == 200)
            #expect(try await harness.request(.POST, path, body: "{}").headers.first(name: "Caphost-Provider") == "adapter:bench:beta")

            let later = "/v1/invoke/adapter/later/echo"
            let missing = try await harness.request(.POST, later, body: "{}")
            #expect(missing.status == 404)
            #expect(try harness.json(missing.body)["code"] as? String == "unknown_slot")
            try await harness.testHost.load("noop.c", as: "liblater.so", defines: providerDefines(name: "later", provider: "late", category: "later"))
            let found = try await harness.request(.POST, later, body: #"{"a":1}"#)
            #expect(found.status == 200 && found.headers.first(name: "Caphost-Provider") == "adapter:later:late", "\(found.status)")
        }
    }

    /// A payload is checked against the input schema of the provider that serves
    /// the call; a refusal names the provider, the place and what was expected.
    /// A body over the limit is refused naming the limit and its setting.
    @Test func refusedPayloadsSayWhyAndWhere() async throws {
        try await AdminAPIHarness.with(settings: { $0.maxRequestBytes = 4096 }, prepare: { test in
            var defines = providerDefines(name: "typed", provider: "typed")
            defines["ECHO_SCHEMA"] = #""{\"type\":\"object\",\"required\":[\"text\"],\"properties\":{\"text\":{\"type\":\"string\"}}}""#
            try await test.load("noop.c", as: "libtyped.so", defines: defines)
        }) { harness in
            let wrongType = try await harness.request(.POST, "/v1/invoke/adapter/bench/echo", body: #"{"text":3}"#)
            #expect(wrongType.status == 400)
            let violation = try harness.json(wrongType.body)
            #expect(violation["code"] as? String == "schema_violation")
            #expect(violation["provider"] as? String == "adapter:bench:typed")
            #expect(violation["path"] as? String == "/text")
            #expect(violation["expected"] as? String == "string")
            #expect((violation["message"] as? String)?.hasPrefix("the payload does not match the input schema of adapter:bench:typed echo: ") == true)

            let notJSON = try await harness.request(.POST, "/v1/invoke/adapter/bench/echo", body: "{\"text\":")
            #expect(notJSON.status == 400)
            let parse = try harness.json(notJSON.body)
            #expect(parse["code"] as? String == "invalid_json")
            #expect(parse["line"] as? String == "1")

            let durable = try await harness.request(.POST, "/v1/invoke/adapter/bench/echo", body: #"{"text":3}"#,
                                                    headers: [("Caphost-Durable", "true")])
            #expect(durable.status == 400, "a durable call is checked before it is journaled")

            let big = "{\"text\":\"" + String(repeating: "x", count: 8192) + "\"}"
            let tooLarge = try await harness.request(.POST, "/v1/invoke/adapter/bench/echo", body: big)
            #expect(tooLarge.status == 413)
            let refusal = try harness.json(tooLarge.body)
            #expect(refusal["code"] as? String == "payload_too_large")
            #expect(refusal["message"] as? String == "the request body is larger than the host accepts (4096 bytes; raise http.max_request_bytes in caphost.yaml)")
            #expect(refusal["setting"] as? String == "http.max_request_bytes")
            let hugeReason = "{\"reason\":\"" + String(repeating: "x", count: 70_000) + "\"}"
            let controlTooLarge = try await harness.request(.POST, "/v1/capabilities/adapter/bench/swap", body: hugeReason)
            #expect(controlTooLarge.status == 413)
            #expect(try harness.json(controlTooLarge.body)["message"] as? String
                    == "the request body of POST /v1/capabilities/adapter/bench/swap is larger than this route accepts (65536 bytes)")
        }
    }

    @Test func controlRoutes() async throws {
        try await Self.withProviders { harness in
            let swapped = try await harness.request(.POST, "/v1/capabilities/adapter/bench/swap", body: #"{"provider":"beta"}"#)
            #expect(swapped.status == 200)
            let outcome = try harness.json(swapped.body)
            #expect(outcome["from"] as? String == "adapter:bench:alpha")
            #expect(outcome["to"] as? String == "adapter:bench:beta")
            #expect(harness.host.resolve(SlotKey(domain: "adapter", category: "bench"))?.provider == "beta")

            let missing = try await harness.request(.POST, "/v1/capabilities/adapter/bench/swap", body: #"{"provider":"gamma"}"#)
            #expect(missing.status == 404)
            #expect(try harness.json(missing.body)["code"] as? String == "unknown_provider")

            let pinned = try await harness.request(.PUT, "/v1/capabilities/adapter/bench/pin", body: #"{"provider":"alpha"}"#)
            #expect(pinned.status == 200)
            #expect(try harness.json(pinned.body)["active"] as? String == "adapter:bench:alpha")

            let unpinned = try await harness.request(.DELETE, "/v1/capabilities/adapter/bench/pin")
            #expect(unpinned.status == 200)
            #expect(try harness.json(unpinned.body)["override"] == nil)

            let drained = try await harness.request(.POST, "/v1/capabilities/adapter/bench/alpha/drain", body: #"{"reason":"maintenance"}"#)
            #expect(drained.status == 200)
            #expect(try harness.json(drained.body)["inFlightAtStart"] as? Int == 0)
            #expect(harness.host.resolve(SlotKey(domain: "adapter", category: "bench"))?.provider == "beta")
            let resumed = try await harness.request(.POST, "/v1/capabilities/adapter/bench/alpha/resume")
            #expect(resumed.status == 200)
            #expect(harness.host.resolve(SlotKey(domain: "adapter", category: "bench"))?.provider == "alpha")

            let wrongMethod = try await harness.request(.GET, "/v1/capabilities/adapter/bench/swap")
            #expect(wrongMethod.status == 405 || wrongMethod.status == 404)
        }
    }

    @Test func eventsAsJSONAndServerSentEvents() async throws {
        try await Self.withProviders { harness in
            let listed = try harness.json(try await harness.request(.GET, "/v1/events?kind=plugin_loaded").body)
            let events = listed["events"] as? [[String: Any]] ?? []
            #expect(events.count == 2)
            #expect(events.allSatisfy { $0["kind"] as? String == "plugin_loaded" })
            let badKind = try await harness.request(.GET, "/v1/events?kind=exploded")
            #expect(badKind.status == 400)
            #expect((try harness.json(badKind.body)["message"] as? String)?.contains("plugin_loaded") == true)

            // A stream that starts after the last event so far, then sees a swap live.
            let last = harness.host.events.events(after: 0, limit: 10_000).last?.sequence ?? 0
            let stream = Task {
                try await harness.streamEvents(after: last, until: "swap_completed")
            }
            try await Task.sleep(for: .milliseconds(300))
            _ = try await harness.request(.POST, "/v1/capabilities/adapter/bench/swap", body: #"{"provider":"beta"}"#)
            let frames = try await stream.value
            #expect(frames.contains { $0.event == "swap_requested" })
            #expect(frames.contains { $0.event == "swap_completed" })
            #expect(frames.allSatisfy { ($0.id ?? 0) > last })
        }
    }

    /// A `limit` past `Int.max` is a 400 naming the range, not a trap that ends the host (found
    /// by fuzzing: the routes converted the parsed `UInt64` to `Int` unchecked).
    @Test func aLimitOfAnySizeIsRefusedWithItsRange() async throws {
        try await Self.withProviders { harness in
            for (path, range) in [("/v1/events", "1…10000"), ("/v1/runs", "1…1000"), ("/v1/deliveries", "1…10000")] {
                for limit in ["18446744073709551615", "9223372036854775808", "0", "10001"] where !(path == "/v1/runs" && limit == "10001") {
                    let refused = try await harness.request(.GET, "\(path)?limit=\(limit)")
                    #expect(refused.status == 400, "\(path)?limit=\(limit)")
                    #expect(try harness.json(refused.body)["message"] as? String == "limit: expected \(range), found \(limit)")
                }
            }
            let tooManyDigits = try await harness.request(.GET, "/v1/events?limit=99999999999999999999999")
            #expect(tooManyDigits.status == 400)
            #expect(try harness.json(tooManyDigits.body)["message"] as? String
                == "limit: expected a non-negative integer, found '99999999999999999999999'")
            let fine = try await harness.request(.GET, "/v1/events?limit=10000")
            #expect(fine.status == 200)
        }
    }

    @Test func metricsExposition() async throws {
        try await Self.withProviders { harness in
            for _ in 0..<3 { _ = try await harness.request(.POST, "/v1/invoke/adapter/bench/echo", body: "{}") }
            _ = try await harness.request(.POST, "/v1/invoke/adapter/bench/nope", body: "{}")
            let metrics = try await harness.request(.GET, "/metrics")
            #expect(metrics.status == 200)
            let text = String(decoding: metrics.body, as: UTF8.self)
            #expect(text.contains(#"caphost_invocations_total{capability="adapter:bench",provider="adapter:bench:alpha",outcome="ok"}"#))
            #expect(text.contains(#"caphost_provider_score{capability="adapter:bench",provider="adapter:bench:beta"}"#))
            #expect(text.contains(#"caphost_provider_breaker_state{capability="adapter:bench",provider="adapter:bench:alpha"} 0"#))
            #expect(text.contains("caphost_retained_images"))
            #expect(text.contains(#"caphost_invocation_duration_seconds_count{capability="adapter:bench",provider="adapter:bench:alpha",outcome="ok"}"#),
                    "the latency histogram of guarded calls")
        }
    }

    @Test func aPluginsHugeErrorTextIsBoundedInTheAnswer() async throws {
        try await AdminAPIHarness.with(prepare: { test in
            try await test.load("loud_text.c", as: "libloud.so")
        }) { harness in
            let huge = try await harness.request(.POST, "/v1/invoke/adapter/loud/fail_huge", body: "{}")
            #expect(huge.status >= 500, "\(huge.status)")
            #expect(huge.body.count < 5_000, "a 1 MiB error message came back as \(huge.body.count) bytes")
            let message = try harness.json(huge.body)["message"] as? String ?? ""
            #expect(message.contains("returned INTERNAL: huge:xxx"), "\(message.prefix(120))")
            #expect(message.hasSuffix("… (1044480 more bytes cut)"), "\(message.suffix(80))")
        }
    }

    @Test func nonLoopbackWithoutTLSIsRefused() throws {
        var settings = AdminAPISettings()
        settings.address = "0.0.0.0"
        #expect(throws: AdminServerError.self) { try AdminServer.validate(settings) }
        settings.tlsCertificatePath = "/tmp/cert.pem"
        #expect(throws: AdminServerError.self) { try AdminServer.validate(settings) }
        settings.address = "127.0.0.1"
        settings.tlsCertificatePath = nil
        try AdminServer.validate(settings)
    }
}
