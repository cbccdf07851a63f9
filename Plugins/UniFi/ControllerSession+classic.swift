import Foundation
import NIOCore
import PluginKit

/// Reading a site through the Network application's own API (classic controllers, and UniFi OS
/// consoles under `/proxy/network`): `stat/health` for the internet link, `stat/device` for the
/// gateway's WAN ports and every device's state.
extension ControllerSession {
    func readClassicSite(kind: ControllerKind, deadline: NIODeadline, staleAfter: Duration) async throws(Failure) -> LocationStatus {
        let health: [HealthSubsystem] = try await siteList("stat/health", kind: kind, deadline: deadline)
        let devices: [ControllerDevice] = try await siteList("stat/device", kind: kind, deadline: deadline)
        let now = Date()
        var status = LocationStatus(location: location, kind: kind, readAt: now)
        let www = health.first { $0.subsystem == "www" }
        let wan = health.first { $0.subsystem == "wan" }
        let wanStats = wan?.uptimeStats?["WAN"]
        let gateway = devices.first { device in
            if let mac = location.gatewayMAC { return device.mac?.lowercased() == mac }
            return device.isGateway
        }

        var links: [LocationStatus.WANLink] = []
        for (name, port) in [("wan1", gateway?.wan1), ("wan2", gateway?.wan2)] {
            guard let port, port.enable != false else { continue }
            links.append(.init(link: name, up: port.up ?? false, ip: port.ip,
                               downMbps: LocationStatus.mbps(bytesPerSecond: port.rxRate?.value),
                               upMbps: LocationStatus.mbps(bytesPerSecond: port.txRate?.value)))
        }
        if links.isEmpty, let wan {
            links.append(.init(link: "wan", up: wan.status == "ok", ip: wan.wanIP,
                               downMbps: LocationStatus.mbps(bytesPerSecond: wan.rxRate?.value),
                               upMbps: LocationStatus.mbps(bytesPerSecond: wan.txRate?.value)))
        }
        status.wan = links
        status.wanUp = links.isEmpty ? nil : links.contains(where: \.up)

        if let latency = www?.latency {
            (status.latencyMs, status.latencySource) = (latency.value, "stat/health www.latency")
        } else if let latency = wanStats?.latencyAverage {
            (status.latencyMs, status.latencySource) = (latency.value, "stat/health wan.uptime_stats.WAN.latency_average")
        } else if let latency = gateway?.uplink?.latency {
            (status.latencyMs, status.latencySource) = (latency.value, "stat/device uplink.latency")
        }
        if let www, www.xputDown != nil || www.xputUp != nil {
            status.throughput = .init(downMbps: www.xputDown?.value, upMbps: www.xputUp?.value, source: "stat/health www.xput_down/xput_up (speed test)")
        } else if let uplink = gateway?.uplink, uplink.xputDown != nil || uplink.xputUp != nil {
            status.throughput = .init(downMbps: uplink.xputDown?.value, upMbps: uplink.xputUp?.value, source: "stat/device uplink.xput_down/xput_up (speed test)")
        }
        if let wan, wan.rxRate != nil || wan.txRate != nil {
            status.usage = .init(downMbps: LocationStatus.mbps(bytesPerSecond: wan.rxRate?.value),
                                 upMbps: LocationStatus.mbps(bytesPerSecond: wan.txRate?.value), source: "stat/health wan.rx_bytes-r/tx_bytes-r")
        } else if let uplink = gateway?.uplink, uplink.rxRate != nil || uplink.txRate != nil {
            status.usage = .init(downMbps: LocationStatus.mbps(bytesPerSecond: uplink.rxRate?.value),
                                 upMbps: LocationStatus.mbps(bytesPerSecond: uplink.txRate?.value), source: "stat/device uplink.rx_bytes-r/tx_bytes-r")
        }
        status.availabilityPct = wanStats?.availability?.value
        status.drops = www?.drops?.value
        status.isp = wan?.ispName ?? wan?.ispOrganization
        status.uptimeS = www?.uptime?.value

        status.devices = devices.map(Self.deviceState)
        status.gateway = gateway.map(Self.deviceState)
        if let seen = gateway?.lastSeen?.value {
            let age = max(0, now.timeIntervalSince1970 - seen)
            status.lastContactAgeS = age.rounded()
            status.stale = age > Double(staleAfter.components.seconds)
        }
        return status
    }

    /// `GET …/api/s/{site}/{endpoint}`'s `data`; an unknown site is NOT_FOUND listing the sites the
    /// controller has (a site written by its description is matched to its short name once).
    private func siteList<Item: Decodable>(_ endpoint: String, kind: ControllerKind,
                                           deadline: NIODeadline) async throws(Failure) -> [Item] {
        var answer = try await fetch(sitePath(endpoint, kind: kind), kind: kind, deadline: deadline)
        if Self.errorCode(answer) == "api.err.NoSiteContext" {
            let sites = try await listSites(kind: kind, deadline: deadline)
            let wanted = location.site.lowercased()
            guard let match = sites.first(where: { $0.desc?.lowercased() == wanted || $0.name?.lowercased() == wanted }),
                  let name = match.name, name != siteName else {
                let names = sites.map { site in "\(site.name ?? "?")" + (site.desc.map { " (\($0))" } ?? "") }
                throw Failure(.notFound, "site '\(location.site)' is not on \(location.controller); the sites there: \(names.isEmpty ? "none visible to this account" : names.joined(separator: ", "))")
            }
            resolveSite(to: name)
            answer = try await fetch(sitePath(endpoint, kind: kind), kind: kind, deadline: deadline)
        }
        let path = sitePath(endpoint, kind: kind)
        let envelope = try decode(ControllerEnvelope<Item>.self, answer, path: path)
        if envelope.meta?.rc == "error" {
            throw Failure(.unavailable, "\(location.controller) answered GET \(path) with error \(envelope.meta?.msg ?? "(no message)")")
        }
        return envelope.data ?? []
    }

    private func sitePath(_ endpoint: String, kind: ControllerKind) -> String {
        "\(kind.networkPrefix)/api/s/\(siteName)/\(endpoint)"
    }

    /// `/api/self/sites`: the sites this account sees.
    private func listSites(kind: ControllerKind, deadline: NIODeadline) async throws(Failure) -> [ControllerSite] {
        let path = "\(kind.networkPrefix)/api/self/sites"
        let answer = try await fetch(path, kind: kind, deadline: deadline)
        return try decode(ControllerEnvelope<ControllerSite>.self, answer, path: path).data ?? []
    }

    static func deviceState(_ device: ControllerDevice) -> LocationStatus.DeviceState {
        .init(name: device.name ?? device.mac ?? "(unnamed)", mac: device.mac, model: device.model, type: device.type,
              state: device.state, stateName: LocationStatus.stateName(device.state), uptimeS: device.uptime?.value)
    }
}
