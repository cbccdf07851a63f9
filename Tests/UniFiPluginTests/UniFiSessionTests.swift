import CapHostCore
import CapHostTestSupport
import Foundation
import Testing

/// What a controller does to a client over time — sessions expire, CSRF tokens rotate, it rate
/// limits, it answers slowly or with broken JSON, it refuses credentials, it is not there — and
/// how each shows in `network_status` and `choose_location`: one location's trouble is that
/// location's error, never the whole call's.
@Suite(.serialized) struct UniFiSessionTests {
    @Test func anExpiredSessionIsLoggedInAgainOnceAndTheReadSucceeds() async throws {
        let certificate = try await SelfSignedCertificate.make()
        defer { certificate.remove() }
        for kind in [UniFiControllerPeer.Kind.classic, .unifiOS] {
            try await UniFiControllerPeer.withPeer(kind: kind, certificate: certificate) { peer in
                try await UniFiTestHost.with(config: UniFiTestHost.config([try UniFiTestHost.location("lab", peer)])) { test in
                    _ = try await test.status(of: "lab")
                    try await peer.reset()
                    try await peer.expireSessions()
                    let record = try await test.status(of: "lab")
                    #expect(record["error"] == nil, "\(kind): \(record)")
                    let requests = try await peer.requests()
                    let logins = requests.filter { $0.path.hasSuffix("login") }
                    #expect(logins.count == 1, "\(kind): one fresh login: \(requests)")
                    #expect(requests.first?.status == 401, "\(kind): the expired session was refused first: \(requests)")
                }
            }
        }
    }

    @Test func aRotatedCSRFTokenIsTakenFromTheAnswerAndUsedNext() async throws {
        let certificate = try await SelfSignedCertificate.make()
        defer { certificate.remove() }
        try await UniFiControllerPeer.withPeer(kind: .unifiOS, certificate: certificate) { peer in
            try await UniFiTestHost.with(config: UniFiTestHost.config([try UniFiTestHost.location("home", peer)])) { test in
                _ = try await test.status(of: "home")
                try await peer.reset()
                try await peer.rotateCSRF()
                for _ in 0..<3 {
                    let record = try await test.status(of: "home")
                    #expect(record["error"] == nil, "\(record)")
                }
                let requests = try await peer.requests()
                #expect(requests.allSatisfy { $0.status == 200 }, "no request was refused: \(requests)")
                #expect(!requests.contains { $0.path.hasSuffix("login") }, "no new login was needed")
                let tokens = requests.compactMap(\.csrf)
                #expect(Set(tokens).count == 2, "the old token once, then the rotated one: \(tokens)")
                #expect(tokens.first != tokens.last)
            }
        }
    }

    @Test func wrongCredentialsArePermissionNamingTheControllerNeverThePassword() async throws {
        let certificate = try await SelfSignedCertificate.make()
        defer { certificate.remove() }
        try await UniFiControllerPeer.withPeer(kind: .unifiOS, certificate: certificate) { good in
            try await UniFiControllerPeer.withPeer(kind: .classic, certificate: certificate) { classic in
                try await UniFiControllerPeer.withPeer(kind: .integration, certificate: certificate) { integration in
                    let wrongPassword = "Wr0ng-pa55word!"
                    let locations = [try UniFiTestHost.location("good", good),
                                     try UniFiTestHost.location("classic", classic, ["password": wrongPassword]),
                                     try UniFiTestHost.location("keyed", integration, ["api_key": "not-the-key-123"])]
                    try await UniFiTestHost.with(config: UniFiTestHost.config(locations)) { test in
                        let answer = try await test.call("network_status")
                        let text = String(decoding: try JSONSerialization.data(withJSONObject: answer), as: UTF8.self)
                        #expect(!text.contains(wrongPassword) && !text.contains("not-the-key-123"), "\(text)")
                        let records = answer["locations"] as? [[String: Any]] ?? []
                        let classicError = records.first { $0["location"] as? String == "classic" }?["error"] as? [String: Any]
                        #expect(classicError?["status"] as? String == "PERMISSION")
                        #expect((classicError?["message"] as? String)?.contains("\(classic.baseURL) refused the login of user '\(classic.username)' (HTTP 400, api.err.Invalid)") == true, "\(String(describing: classicError))")
                        let keyError = records.first { $0["location"] as? String == "keyed" }?["error"] as? [String: Any]
                        #expect(keyError?["status"] as? String == "PERMISSION")
                        #expect((keyError?["message"] as? String)?.contains("\(integration.baseURL) refused the API key from config api_key") == true, "\(String(describing: keyError))")

                        let choice = try await test.call("choose_location")
                        #expect(choice["location"] as? String == "good")
                        let alternatives = choice["alternatives"] as? [[String: Any]] ?? []
                        #expect(alternatives.contains { ($0["reason"] as? String)?.hasPrefix("not readable: PERMISSION: ") == true })
                    }
                }
            }
        }
    }

    @Test func a429IsWaitedOutWhenItsRetryAfterFitsAndIsRateLimitedWhenItDoesNot() async throws {
        let certificate = try await SelfSignedCertificate.make()
        defer { certificate.remove() }
        try await UniFiControllerPeer.withPeer(kind: .classic, certificate: certificate) { peer in
            try await UniFiTestHost.with(config: UniFiTestHost.config([try UniFiTestHost.location("lab", peer)])) { test in
                _ = try await test.status(of: "lab")
                try await peer.setBehaviour(pathContains: "stat/health", status: 429, count: 1, retryAfter: "1")
                let clock = ContinuousClock()
                let started = clock.now
                let waited = try await test.status(of: "lab")
                #expect(waited["error"] == nil, "\(waited)")
                #expect(clock.now - started >= .milliseconds(900), "Retry-After 1 was honoured")
                #expect(try await peer.requests().filter { $0.path.hasSuffix("stat/health") }.map(\.status).suffix(2) == [429, 200])

                try await peer.setBehaviour(pathContains: "stat/health", status: 429, count: 1, retryAfter: "60")
                let limited = try await test.status(of: "lab")
                let error = limited["error"] as? [String: Any]
                #expect(error?["status"] as? String == "RATE_LIMITED", "\(limited)")
                #expect((error?["message"] as? String)?.contains("Retry-After 60") == true)
            }
        }
    }

    @Test func aSlowControllerTimesOutWithinTheDeadlineAndTheOtherLocationIsChosen() async throws {
        let certificate = try await SelfSignedCertificate.make()
        defer { certificate.remove() }
        try await UniFiControllerPeer.withPeer(kind: .classic, certificate: certificate) { slow in
            try await UniFiControllerPeer.withPeer(kind: .unifiOS, certificate: certificate) { quick in
                let locations = [try UniFiTestHost.location("slow", slow), try UniFiTestHost.location("quick", quick)]
                try await UniFiTestHost.with(config: UniFiTestHost.config(locations, ["timeout": 1])) { test in
                    // The slow one is better on paper.
                    try await slow.setSite(health: ["www": ["latency": 2]])
                    try await slow.setBehaviour(pathContains: "stat/device", status: nil, delay: 4)
                    let clock = ContinuousClock()
                    let started = clock.now
                    let choice = try await test.call("choose_location", ["requires_low_latency": true])
                    let elapsed = clock.now - started
                    #expect(elapsed < .milliseconds(2_500), "the 1 s deadline held: \(elapsed)")
                    #expect(choice["location"] as? String == "quick")
                    let alternatives = choice["alternatives"] as? [[String: Any]] ?? []
                    let reason = alternatives.first { $0["location"] as? String == "slow" }?["reason"] as? String
                    #expect(reason?.hasPrefix("not readable: TIMEOUT: no complete answer to GET \(slow.baseURL)/api/s/default/stat/device") == true, "\(String(describing: reason))")
                }
            }
        }
    }

    @Test func malformedJSONAndServerErrorsAreTheLocationsErrorQuotingTheAnswer() async throws {
        let certificate = try await SelfSignedCertificate.make()
        defer { certificate.remove() }
        try await UniFiControllerPeer.withPeer(kind: .unifiOS, certificate: certificate) { peer in
            try await UniFiTestHost.with(config: UniFiTestHost.config([try UniFiTestHost.location("home", peer)])) { test in
                _ = try await test.status(of: "home")
                try await peer.setBehaviour(pathContains: "stat/device", status: 200, count: 1, body: "{\"meta\": {\"rc\": \"ok\"}, \"data\": [{not json")
                let broken = try await test.status(of: "home")
                let error = broken["error"] as? [String: Any]
                #expect(error?["status"] as? String == "UNAVAILABLE")
                #expect((error?["message"] as? String)?.contains("answered GET /proxy/network/api/s/default/stat/device with data the plugin cannot read (not valid JSON") == true, "\(broken)")
                #expect((error?["message"] as? String)?.contains("[{not json") == true)

                try await peer.setBehaviour(pathContains: "stat/health", status: 200, count: 1, body: "{\"meta\": {\"rc\": \"ok\"}, \"data\": [{\"subsystem\": \"www\", \"latency\": \"fast\"}]}")
                let mistyped = try await test.status(of: "home")
                #expect(((mistyped["error"] as? [String: Any])?["message"] as? String)?.contains("data[0].latency: expected a number or a numeric string") == true, "\(mistyped)")

                try await peer.setBehaviour(pathContains: "stat/health", status: 502, count: 1, body: "Bad Gateway")
                let failed = try await test.status(of: "home")
                #expect(((failed["error"] as? [String: Any])?["message"] as? String)?.contains("answered HTTP 502 to GET /proxy/network/api/s/default/stat/health") == true, "\(failed)")

                #expect(try await test.status(of: "home")["error"] == nil, "the next read is whole again")
            }
        }
    }

    @Test func anUnreachableControllerIsUnavailableWithinTheDeadlineAndLeftOutOfChoices() async throws {
        let certificate = try await SelfSignedCertificate.make()
        defer { certificate.remove() }
        try await UniFiControllerPeer.withPeer(kind: .classic, certificate: certificate) { peer in
            let closedPort = try LoopbackSocket.closedPort()
            var gone = try UniFiTestHost.location("gone", peer)
            gone["url"] = "https://127.0.0.1:\(closedPort)"
            try await UniFiTestHost.with(config: UniFiTestHost.config([gone, try UniFiTestHost.location("lab", peer)])) { test in
                let record = try await test.status(of: "gone")
                let error = record["error"] as? [String: Any]
                #expect(error?["status"] as? String == "UNAVAILABLE")
                #expect((error?["message"] as? String)?.contains("cannot connect to https://127.0.0.1:\(closedPort)") == true, "\(record)")
                let choice = try await test.call("choose_location")
                #expect(choice["location"] as? String == "lab")

                let health = try await test.call("health")
                #expect(health["healthy"] as? Bool == true)
                let states = (health["locations"] as? [[String: Any]] ?? []).map { "\($0["location"] as? String ?? "")=\($0["readable"] as? Bool ?? false)" }
                #expect(states == ["gone=false", "lab=true"], "\(health)")
            }
        }
    }
}
