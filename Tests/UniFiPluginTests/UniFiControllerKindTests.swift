import CapHostCore
import CapHostTestSupport
import Foundation
import Testing

/// `network_status` against each kind of controller (the local simulator serving the captured
/// payloads in Tests/Fixtures/unifi): the figures come out as the payloads hold them, the kind
/// is found by the documented probe, and each kind is spoken its own way.
@Suite(.serialized) struct UniFiControllerKindTests {
    /// The captured `stat/health` and `stat/device` payloads' figures.
    static func expectClassicFigures(_ record: [String: Any]) {
        #expect(record["error"] == nil, "\(record)")
        #expect(record["wan_up"] as? Bool == true)
        #expect(number(record, "latency_ms") == 9)
        #expect(record["latency_source"] as? String == "stat/health www.latency")
        let throughput = record["throughput"] as? [String: Any]
        #expect(number(throughput, "down_mbps") == 999)
        #expect(number(throughput, "up_mbps") == 1017)
        #expect(number(record, "availability_pct") == 100)
        #expect(number(record, "drops") == 1)
        #expect(record["isp"] as? String == "Westelcom Internet")
        #expect(record["stale"] as? Bool == false)
        let wan = record["wan"] as? [[String: Any]] ?? []
        #expect(wan.map { $0["link"] as? String } == ["wan1", "wan2"])
        #expect(wan.first?["ip"] as? String == "1.2.3.4")
        #expect(wan.first?["up"] as? Bool == true)
        // wan1 rx_bytes-r 239494 B/s = 1.92 Mbit/s
        #expect(number(wan.first, "down_mbps") == 1.92)
        let gateway = record["gateway"] as? [String: Any]
        #expect(gateway?["name"] as? String == "USG")
        #expect(gateway?["state_name"] as? String == "connected")
        let devices = record["devices"] as? [[String: Any]] ?? []
        #expect(devices.compactMap { $0["name"] as? String } == ["USG", "ACCESS POINT AC PRO", "Switch 16"])
        #expect(devices.allSatisfy { ($0["state"] as? Int) == 1 })
    }

    @Test func aClassicControllerIsFoundByItsRedirectAndReadWithItsCookie() async throws {
        let certificate = try await SelfSignedCertificate.make()
        defer { certificate.remove() }
        try await UniFiControllerPeer.withPeer(kind: .classic, certificate: certificate) { peer in
            try await UniFiTestHost.with(config: UniFiTestHost.config([try UniFiTestHost.location("lab", peer)])) { test in
                let record = try await test.status(of: "lab")
                #expect(record["kind"] as? String == "classic")
                Self.expectClassicFigures(record)
                let paths = try await peer.requests().map(\.path)
                #expect(paths.contains("/"), "the probe")
                #expect(paths.contains("/api/login"))
                #expect(paths.contains("/api/s/default/stat/health"))
                #expect(paths.contains("/api/s/default/stat/device"))
                #expect(!paths.contains { $0.hasPrefix("/proxy/") })
            }
        }
    }

    @Test func aUniFiOSConsoleIsFoundByItsAnswerAndReadUnderProxyNetworkWithItsToken() async throws {
        let certificate = try await SelfSignedCertificate.make()
        defer { certificate.remove() }
        try await UniFiControllerPeer.withPeer(kind: .unifiOS, certificate: certificate) { peer in
            try await UniFiTestHost.with(config: UniFiTestHost.config([try UniFiTestHost.location("home", peer)])) { test in
                let record = try await test.status(of: "home")
                #expect(record["kind"] as? String == "unifi-os")
                Self.expectClassicFigures(record)
                let requests = try await peer.requests()
                #expect(requests.contains { $0.path == "/api/auth/login" && $0.status == 200 })
                let data = requests.filter { $0.path.hasPrefix("/proxy/network/api/s/default/stat/") }
                #expect(!data.isEmpty)
                #expect(data.allSatisfy { $0.status == 200 && $0.cookie && $0.csrf != nil }, "\(data)")
            }
        }
    }

    @Test func theIntegrationAPIIsReadWithTheKeyPageByPage() async throws {
        let certificate = try await SelfSignedCertificate.make()
        defer { certificate.remove() }
        try await UniFiControllerPeer.withPeer(kind: .integration, certificate: certificate) { peer in
            try await UniFiTestHost.with(config: UniFiTestHost.config([try UniFiTestHost.location("office", peer)])) { test in
                let record = try await test.status(of: "office")
                #expect(record["error"] == nil, "\(record)")
                #expect(record["kind"] as? String == "integration")
                #expect(record["wan_up"] as? Bool == true)
                let devices = record["devices"] as? [[String: Any]] ?? []
                #expect(devices.compactMap { $0["name"] as? String } == ["USG", "ACCESS POINT AC PRO", "Switch 16"])
                #expect(devices.allSatisfy { $0["state_name"] as? String == "online" }, "\(devices)")
                let gateway = record["gateway"] as? [String: Any]
                #expect(gateway?["name"] as? String == "USG")
                #expect(number(gateway, "uptime_s") == 3_971_869)
                // The gateway's uplink: rx_bytes-r 239494 B/s → rxRateBps 1 915 952 → 1.92 Mbit/s.
                let usage = record["usage"] as? [String: Any]
                #expect(number(usage, "down_mbps") == 1.92, "\(record)")
                #expect(record["latency_ms"] == nil, "the integration API reports no latency")
                let requests = try await peer.requests()
                #expect(requests.allSatisfy { $0.path == "/" || $0.apiKeyOK == true }, "\(requests)")
                #expect(!requests.contains { $0.path.contains("login") })
                #expect(requests.contains { $0.path.hasPrefix("/proxy/network/integration/v1/sites?") })
                #expect(requests.contains { $0.path.contains("/statistics/latest") })

                // A low-latency choice cannot use it, and says why.
                let error = await test.failure("choose_location", ["requires_low_latency": true])
                #expect(error?.code == .unavailable)
                #expect(error?.message.contains("office: no latency figure (the integration API reports none)") == true, "\(String(describing: error))")
            }
        }
    }

    @Test func aSiteWrittenByItsDescriptionIsFoundAndAnUnknownOneListsTheSites() async throws {
        let certificate = try await SelfSignedCertificate.make()
        defer { certificate.remove() }
        try await UniFiControllerPeer.withPeer(kind: .classic, certificate: certificate, sites: ["default", "branch"]) { peer in
            let locations = [try UniFiTestHost.location("main", peer),
                             try UniFiTestHost.location("branch", peer, site: "Branch"),
                             try UniFiTestHost.location("nowhere", peer, site: "warehouse")]
            try await UniFiTestHost.with(config: UniFiTestHost.config(locations)) { test in
                let branch = try await test.status(of: "branch")
                #expect(branch["error"] == nil, "\(branch)")
                let paths = try await peer.requests().map(\.path)
                #expect(paths.contains("/api/s/branch/stat/health"), "the description Branch is the site branch")

                let nowhere = try await test.status(of: "nowhere")
                let error = nowhere["error"] as? [String: Any]
                #expect(error?["status"] as? String == "NOT_FOUND")
                #expect((error?["message"] as? String)?.contains("site 'warehouse' is not on \(peer.baseURL); the sites there: default (Default), branch (Branch)") == true, "\(nowhere)")
            }
        }
    }

    @Test func anIntegrationSiteIsFoundByNameAndAnUnknownOneListsTheSites() async throws {
        let certificate = try await SelfSignedCertificate.make()
        defer { certificate.remove() }
        try await UniFiControllerPeer.withPeer(kind: .integration, certificate: certificate, sites: ["default", "branch"]) { peer in
            let locations = [try UniFiTestHost.location("main", peer), try UniFiTestHost.location("nowhere", peer, site: "warehouse")]
            try await UniFiTestHost.with(config: UniFiTestHost.config(locations)) { test in
                let nowhere = try await test.status(of: "nowhere")
                let error = nowhere["error"] as? [String: Any]
                #expect(error?["status"] as? String == "NOT_FOUND")
                #expect((error?["message"] as? String)?.contains("site 'warehouse' is not on") == true)
                #expect((error?["message"] as? String)?.contains("default (Default), branch (Branch)") == true, "\(nowhere)")
            }
        }
    }
}
