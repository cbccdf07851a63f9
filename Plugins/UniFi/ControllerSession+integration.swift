import Foundation
import NIOCore
import PluginKit

/// Reading a site through the Network integration API (`X-API-KEY`): the site's id, its
/// devices (paged), and the gateway's latest statistics. The integration API reports no WAN
/// latency, speed test or ISP: those figures stay empty, and `choose_location` says so when a
/// request needs them.
extension ControllerSession {
    static let integrationBase = "/proxy/network/integration/v1"
    /// The most items one page may hold (the API refuses a larger `limit`).
    static let integrationPageLimit = 200

    func readIntegrationSite(deadline: NIODeadline, staleAfter: Duration) async throws(Failure) -> LocationStatus {
        let siteID = try await integrationSite(deadline: deadline)
        let devices: [IntegrationDevice] = try await pages("\(Self.integrationBase)/sites/\(siteID)/devices", deadline: deadline)
        let gateway = devices.first { device in
            if let mac = location.gatewayMAC { return device.macAddress?.lowercased() == mac }
            return Self.isGatewayModel(device.model)
        }
        var statistics: IntegrationStatistics?
        if let gateway {
            let path = "\(Self.integrationBase)/sites/\(siteID)/devices/\(gateway.id)/statistics/latest"
            statistics = try decode(IntegrationStatistics.self, try await fetch(path, kind: .integration, deadline: deadline), path: path)
        }
        let now = Date()
        var status = LocationStatus(location: location, kind: .integration, readAt: now)
        status.devices = devices.map { Self.deviceState($0, uptime: nil) }
        if let gateway {
            status.gateway = Self.deviceState(gateway, uptime: statistics?.uptimeSec?.value)
            let online = gateway.state == "ONLINE"
            let rates = statistics?.uplink
            status.wan = [.init(link: "uplink", up: online, ip: gateway.ipAddress,
                                downMbps: rates?.rxRateBps.map { ($0.value / 10_000).rounded() / 100 },
                                upMbps: rates?.txRateBps.map { ($0.value / 10_000).rounded() / 100 })]
            status.wanUp = online
            if let rates {
                status.usage = .init(downMbps: rates.rxRateBps.map { ($0.value / 10_000).rounded() / 100 },
                                     upMbps: rates.txRateBps.map { ($0.value / 10_000).rounded() / 100 },
                                     source: "statistics/latest uplink.rxRateBps/txRateBps")
            }
            status.uptimeS = statistics?.uptimeSec?.value
            if let text = statistics?.lastHeartbeatAt, let seen = ISO8601DateFormatter().date(from: text) {
                let age = max(0, now.timeIntervalSince(seen))
                status.lastContactAgeS = age.rounded()
                status.stale = age > Double(staleAfter.components.seconds)
            }
        }
        return status
    }

    /// The configured site's id: it may be written as the id, the short name
    /// (`internalReference`, e.g. `default`) or the display name.
    private func integrationSite(deadline: NIODeadline) async throws(Failure) -> String {
        if let known = knownIntegrationSiteID { return known }
        let sites: [IntegrationSite] = try await pages("\(Self.integrationBase)/sites", deadline: deadline)
        let wanted = location.site.lowercased()
        guard let site = sites.first(where: { $0.id.lowercased() == wanted })
            ?? sites.first(where: { $0.internalReference?.lowercased() == wanted })
            ?? sites.first(where: { $0.name?.lowercased() == wanted }) else {
            let names = sites.map { "\($0.internalReference ?? $0.id)" + ($0.name.map { " (\($0))" } ?? "") }
            throw Failure(.notFound, "site '\(location.site)' is not on \(location.controller); the sites there: \(names.isEmpty ? "none visible to this API key" : names.joined(separator: ", "))")
        }
        rememberIntegrationSite(id: site.id)
        return site.id
    }

    /// Every item of a paged list, fetched `integrationPageLimit` at a time.
    private func pages<Item: Decodable>(_ path: String, deadline: NIODeadline) async throws(Failure) -> [Item] {
        var items: [Item] = []
        var offset = 0
        for _ in 0..<1_000 {
            let pagePath = "\(path)?offset=\(offset)&limit=\(Self.integrationPageLimit)"
            let page = try decode(IntegrationPage<Item>.self, try await fetch(pagePath, kind: .integration, deadline: deadline), path: pagePath)
            let data = page.data ?? []
            items += data
            offset += data.count
            if data.isEmpty || offset >= (page.totalCount ?? offset) { return items }
        }
        throw Failure(.unavailable, "\(location.controller) kept paging \(path) past 1000 pages")
    }

    /// Gateways by model: Dream Machines and Routers, Cloud Gateways, Next-Gen and Security
    /// Gateways, Enterprise Fortress Gateways (the integration API has no device type field).
    static func isGatewayModel(_ model: String?) -> Bool {
        guard let model = model?.uppercased() else { return false }
        return ["UDM", "UDR", "UDW", "UCG", "UXG", "USG", "UGW", "EFG"].contains { model.hasPrefix($0) }
            || model.contains("GATEWAY") || model.contains("DREAM")
    }

    static func deviceState(_ device: IntegrationDevice, uptime: Double?) -> LocationStatus.DeviceState {
        .init(name: device.name ?? device.macAddress ?? device.id, mac: device.macAddress?.lowercased(), model: device.model,
              type: nil, state: nil, stateName: device.state?.lowercased() ?? "unknown", uptimeS: uptime)
    }
}
