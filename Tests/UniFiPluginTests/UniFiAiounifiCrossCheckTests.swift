import CapHostCore
import CapHostTestSupport
import Foundation
import Testing

/// The independent `aiounifi` client (Home Assistant's, PyPI) pointed at the same controller
/// reads the same device states and WAN figures as the plugin.
@Suite(.serialized) struct UniFiAiounifiCrossCheckTests {
    @Test(arguments: [UniFiControllerPeer.Kind.classic, .unifiOS])
    func aiounifiAndThePluginReadTheSameNetwork(kind: UniFiControllerPeer.Kind) async throws {
        let certificate = try await SelfSignedCertificate.make()
        defer { certificate.remove() }
        try await UniFiControllerPeer.withPeer(kind: kind, certificate: certificate) { peer in
            // Not the captured payload as it is: one WAN down and the access point disconnected.
            let accessPoint = UniFiControllerPeer.FixtureDevice.accessPoint
            try await peer.setSite(gateway: ["wan2": ["up": false], "wan1": ["rx_bytes-r": 1_250_000, "tx_bytes-r": 62_500]],
                                   devices: [accessPoint: ["state": 0]])
            try await UniFiTestHost.with(config: UniFiTestHost.config([try UniFiTestHost.location("site", peer)])) { test in
                let record = try await test.status(of: "site")
                #expect(record["error"] == nil, "\(record)")

                let python = try await PeerVenv.shared.pythonPath()
                let run = try await PeerProcess.run(python, [
                    FixturePlugins.repositoryRoot + "/Tests/Peers/unifi_aiounifi_read.py",
                    "--port", String(peer.port), "--site", "default", "--username", peer.username,
                    "--password", peer.password, "--ca", certificate.certificatePath,
                ], timeout: .seconds(60))
                #expect(run.status == 0, "unifi_aiounifi_read.py failed: \(run.stderr)")
                guard let theirs = try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any] else {
                    throw FixtureError("aiounifi printed no JSON object: \(run.stdout)")
                }
                #expect(theirs["unifi_os"] as? Bool == (kind == .unifiOS))

                // Device states.
                let ours = (record["devices"] as? [[String: Any]] ?? []).map { ($0["mac"] as? String ?? "", $0["name"] as? String ?? "", $0["state"] as? Int ?? -1) }
                let aiounifi = (theirs["devices"] as? [[String: Any]] ?? []).map { ($0["mac"] as? String ?? "", $0["name"] as? String ?? "", $0["state"] as? Int ?? -1) }
                #expect(ours.map { "\($0)" }.sorted() == aiounifi.map { "\($0)" }.sorted())
                #expect(ours.contains { $0.0 == accessPoint && $0.2 == 0 })

                // WAN figures of the gateway.
                let gateway = theirs["gateway"] as? [String: Any]
                let wan = record["wan"] as? [[String: Any]] ?? []
                for link in ["wan1", "wan2"] {
                    let mine = wan.first { $0["link"] as? String == link }
                    let their = gateway?[link] as? [String: Any]
                    #expect(mine?["up"] as? Bool == their?["up"] as? Bool, "\(link)")
                    #expect(mine?["ip"] as? String == their?["ip"] as? String, "\(link)")
                    let theirDown = (their?["rx_bytes-r"] as? NSNumber).map { ($0.doubleValue * 8 / 1_000_000 * 100).rounded() / 100 }
                    #expect(number(mine, "down_mbps") == theirDown, "\(link): \(String(describing: mine)) vs \(String(describing: their))")
                }
                #expect(number(wan.first, "down_mbps") == 10, "1 250 000 B/s is 10 Mbit/s")
                #expect(wan.first { $0["link"] as? String == "wan2" }?["up"] as? Bool == false)
                #expect(record["wan_up"] as? Bool == true, "wan1 still carries")
            }
        }
    }
}
