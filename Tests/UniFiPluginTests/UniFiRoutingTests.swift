import CapHostCore
import CapHostTestSupport
import Foundation
import Testing

/// `choose_location` over two real controllers whose figures differ: the documented score picks
/// the right one for each need, every other location is ranked with the reason it lost, a WAN
/// going down or stale data changes the choice, and a burst of calls costs one round trip.
@Suite(.serialized) struct UniFiRoutingTests {
    /// Two controllers: `near` has low latency and a slow link; `wide` has high latency and a fast one.
    static func withTwoLocations(_ extra: [String: Any] = [:],
                                 _ body: (UniFiTestHost, UniFiControllerPeer, UniFiControllerPeer) async throws -> Void) async throws {
        let certificate = try await SelfSignedCertificate.make()
        defer { certificate.remove() }
        try await UniFiControllerPeer.withPeer(kind: .classic, certificate: certificate) { near in
            try await UniFiControllerPeer.withPeer(kind: .unifiOS, certificate: certificate) { wide in
                try await near.setSite(health: ["www": ["latency": 8, "xput_down": 100, "xput_up": 20]])
                try await wide.setSite(health: ["www": ["latency": 40, "xput_down": 900, "xput_up": 300],
                                                "wan": ["uptime_stats": ["WAN": ["availability": 99.5]]]])
                let locations = [try UniFiTestHost.location("near", near), try UniFiTestHost.location("wide", wide)]
                try await UniFiTestHost.with(config: UniFiTestHost.config(locations, extra)) { test in
                    try await body(test, near, wide)
                }
            }
        }
    }

    @Test func eachNeedChoosesItsLocationAndTheOtherIsRankedWithItsReason() async throws {
        try await Self.withTwoLocations { test, _, _ in
            // Low latency: near 1000/8 = 125 × 1.00; wide 1000/40 = 25 × 0.995 = 24.88.
            let fast = try await test.call("choose_location", ["requires_low_latency": true])
            #expect(fast["location"] as? String == "near")
            #expect(number(fast, "score") == 125)
            #expect(fast["basis"] as? String == "1000 / latency_ms × availability")
            let alternative = (fast["alternatives"] as? [[String: Any]])?.first
            #expect(alternative?["location"] as? String == "wide")
            #expect(number(alternative, "score") == 24.88)
            #expect(alternative?["reason"] as? String == "score 24.88 < 125 of near; latency 40 ms vs 8 ms; 899.84 Mbps free vs 99.84; availability 99.50 % vs 100 %",
                    "\(String(describing: alternative))")

            // High bandwidth: free download = speed test − traffic now (stat/health wan
            // rx_bytes-r 19465 B/s = 0.16 Mbit/s on both): near 99.84; wide 899.84 × 0.995 = 895.34.
            let wide = try await test.call("choose_location", ["requires_high_bandwidth": true])
            #expect(wide["location"] as? String == "wide")
            #expect(number(wide, "score") == 895.34)
            #expect(number(wide, "free_down_mbps") == 899.84)
            #expect(wide["controller"] as? String != nil)

            // Neither: (L + B) / 2 — near (125 + 99.84)/2 = 112.42; wide (25 + 899.84)/2 × 0.995 = 460.11.
            let balanced = try await test.call("choose_location")
            #expect(balanced["location"] as? String == "wide")
            #expect(number(balanced, "score") == 460.11)

            // Excluded by the request.
            let excluded = try await test.call("choose_location", ["requires_high_bandwidth": true, "exclude": ["wide"]])
            #expect(excluded["location"] as? String == "near")
            #expect((excluded["alternatives"] as? [[String: Any]])?.first?["reason"] as? String == "excluded by the request")
        }
    }

    @Test func aWANThatGoesDownBetweenTwoCallsChangesTheChoice() async throws {
        try await Self.withTwoLocations { test, near, _ in
            #expect(try await test.call("choose_location", ["requires_low_latency": true])["location"] as? String == "near")
            try await near.setSite(gateway: ["wan1": ["up": false], "wan2": ["up": false]])
            let after = try await test.call("choose_location", ["requires_low_latency": true])
            #expect(after["location"] as? String == "wide")
            let reason = (after["alternatives"] as? [[String: Any]])?.first { $0["location"] as? String == "near" }?["reason"] as? String
            #expect(reason == "WAN down (wan1 down, wan2 down)", "\(String(describing: reason))")
            let status = try await test.status(of: "near")
            #expect(status["wan_up"] as? Bool == false)

            // One link back is enough.
            try await near.setSite(gateway: ["wan2": ["up": true]])
            #expect(try await test.call("choose_location", ["requires_low_latency": true])["location"] as? String == "near")
        }
    }

    @Test func staleDataIsShownButNeverChosen() async throws {
        try await Self.withTwoLocations(["stale_after": 60]) { test, near, _ in
            try await near.setSite(lastSeenAge: 3_600)
            let status = try await test.status(of: "near")
            #expect(status["stale"] as? Bool == true)
            #expect(number(status, "last_contact_age_s").map { $0 >= 3_600 && $0 < 3_700 } == true, "\(status)")
            let choice = try await test.call("choose_location", ["requires_low_latency": true])
            #expect(choice["location"] as? String == "wide")
            let reason = (choice["alternatives"] as? [[String: Any]])?.first?["reason"] as? String
            #expect(reason?.hasPrefix("stale: the gateway last reported to its controller 36") == true, "\(String(describing: reason))")
            #expect(reason?.hasSuffix("s ago (stale_after is 60 s)") == true)
        }
    }

    @Test func aBurstOfChoicesCostsOneReadPerLocation() async throws {
        try await Self.withTwoLocations(["cache_ttl": 2]) { test, near, wide in
            // The load's health check read both; let that read age past the TTL.
            try await Task.sleep(for: .milliseconds(2_200))
            try await near.reset()
            try await wide.reset()
            try await withThrowingTaskGroup(of: String?.self) { group in
                for index in 0..<40 {
                    group.addTask {
                        try await test.call("choose_location", ["requires_low_latency": index.isMultiple(of: 2)])["location"] as? String
                    }
                }
                var chosen: [String?] = []
                for try await location in group { chosen.append(location) }
                #expect(chosen.count == 40 && chosen.allSatisfy { $0 != nil })
            }
            for peer in [near, wide] {
                let reads = try await peer.requests().filter { $0.path.hasSuffix("stat/health") }
                #expect(reads.count == 1, "one read per location for 40 calls within the TTL: \(reads.count)")
            }
        }
    }

    @Test func badInputIsRefusedNamingTheField() async throws {
        try await Self.withTwoLocations { test, _, _ in
            let typo = await test.failure("choose_location", ["requires_low_latncy": true])
            #expect(typo?.code == .invalidArgument)
            #expect(typo?.message.contains("unknown field 'requires_low_latncy'") == true, "\(String(describing: typo))")
            let unknown = await test.failure("choose_location", ["exclude": ["mars"]])
            #expect(unknown?.code == .notFound)
            #expect(unknown?.message.contains("exclude: 'mars' is not a configured location; the locations: near, wide") == true, "\(String(describing: unknown))")
            let wrongType = await test.failure("choose_location", ["requires_low_latency": "yes"])
            #expect(wrongType?.code == .invalidArgument, "\(String(describing: wrongType))")
            let status = await test.failure("network_status", ["locations": ["mars"]])
            #expect(status?.code == .notFound)
            let all = await test.failure("choose_location", ["exclude": ["near", "wide"]])
            #expect(all?.code == .unavailable)
            #expect(all?.message.contains("no location can take the work: near: excluded by the request; wide: excluded by the request") == true, "\(String(describing: all))")
        }
    }
}
