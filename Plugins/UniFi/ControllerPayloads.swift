import Foundation

// The parts of controller answers the plugin reads (REFERENCE §5), decoded leniently: every
// field is optional, and numbers may come as JSON numbers or numeric strings, as controllers
// write them (`"gw_system-stats": {"cpu": "5.6"}`). Fields the plugin does not read are ignored.

/// A number written as a JSON number or as a numeric string.
struct LooseNumber: Decodable, Sendable {
    let value: Double

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let number = try? container.decode(Double.self) {
            value = number
        } else if let text = try? container.decode(String.self), let number = Double(text.trimmingCharacters(in: .whitespaces)) {
            value = number
        } else {
            throw DecodingError.typeMismatch(Double.self, .init(codingPath: decoder.codingPath, debugDescription: "expected a number or a numeric string"))
        }
    }
}

/// The classic API's envelope: `{"meta": {"rc": "ok"|"error", "msg": …}, "data": […]}`.
struct ControllerEnvelope<Item: Decodable>: Decodable {
    struct Meta: Decodable {
        let rc: String?
        let msg: String?
    }

    let meta: Meta?
    let data: [Item]?
}

/// An envelope read for its `meta` alone (error answers, login answers).
struct ControllerMeta: Decodable {
    let meta: ControllerEnvelope<LooseNumber>.Meta?
}

/// One record of `stat/health` (`wan`, `www`, `lan`, `wlan`, `vpn`).
struct HealthSubsystem: Decodable {
    /// `{"WAN": {"availability": 100.0, "latency_average": 9, …}}` (on `wan`).
    struct UptimeStats: Decodable {
        let availability: LooseNumber?
        let latencyAverage: LooseNumber?

        enum CodingKeys: String, CodingKey {
            case availability, latencyAverage = "latency_average"
        }
    }

    let subsystem: String
    let status: String?
    let latency: LooseNumber?
    let xputDown: LooseNumber?
    let xputUp: LooseNumber?
    let speedtestPing: LooseNumber?
    let drops: LooseNumber?
    let uptime: LooseNumber?
    let ispName: String?
    let ispOrganization: String?
    let wanIP: String?
    let gatewayName: String?
    let gatewayMAC: String?
    let rxRate: LooseNumber?
    let txRate: LooseNumber?
    let uptimeStats: [String: UptimeStats]?

    enum CodingKeys: String, CodingKey {
        case subsystem, status, latency, drops, uptime
        case xputDown = "xput_down", xputUp = "xput_up", speedtestPing = "speedtest_ping"
        case ispName = "isp_name", ispOrganization = "isp_organization", wanIP = "wan_ip"
        case gatewayName = "gw_name", gatewayMAC = "gw_mac", rxRate = "rx_bytes-r", txRate = "tx_bytes-r"
        case uptimeStats = "uptime_stats"
    }
}

/// One record of `stat/device`.
struct ControllerDevice: Decodable {
    /// A gateway's `uplink`: its active WAN and what the controller measured on it.
    struct Uplink: Decodable {
        let latency: LooseNumber?
        let xputDown: LooseNumber?
        let xputUp: LooseNumber?
        let rxRate: LooseNumber?
        let txRate: LooseNumber?
        let up: Bool?

        enum CodingKeys: String, CodingKey {
            case latency, up
            case xputDown = "xput_down", xputUp = "xput_up", rxRate = "rx_bytes-r", txRate = "tx_bytes-r"
        }
    }

    /// A gateway's `wan1` / `wan2` port.
    struct WANPort: Decodable {
        let up: Bool?
        let enable: Bool?
        let ip: String?
        let name: String?
        let ifname: String?
        let rxRate: LooseNumber?
        let txRate: LooseNumber?

        enum CodingKeys: String, CodingKey {
            case up, enable, ip, name, ifname
            case rxRate = "rx_bytes-r", txRate = "tx_bytes-r"
        }
    }

    let mac: String?
    let name: String?
    let model: String?
    let type: String?
    let state: Int?
    let uptime: LooseNumber?
    let lastSeen: LooseNumber?
    let ip: String?
    let uplink: Uplink?
    let wan1: WANPort?
    let wan2: WANPort?

    enum CodingKeys: String, CodingKey {
        case mac, name, model, type, state, uptime, ip, uplink, wan1, wan2
        case lastSeen = "last_seen"
    }

    /// Gateways are `ugw` (USG), `udm` (Dream Machines) and `uxg` (Next-Gen gateways).
    var isGateway: Bool { ["ugw", "udm", "uxg"].contains(type ?? "") }
}

/// One record of `/api/self/sites`.
struct ControllerSite: Decodable {
    let name: String?
    let desc: String?
}

/// The integration API's list page.
struct IntegrationPage<Item: Decodable>: Decodable {
    let offset: Int?
    let limit: Int?
    let count: Int?
    let totalCount: Int?
    let data: [Item]?
}

/// `GET /v1/sites` item: `internalReference` is the classic short name (`default`).
struct IntegrationSite: Decodable {
    let id: String
    let internalReference: String?
    let name: String?
}

/// `GET /v1/sites/{siteId}/devices` item.
struct IntegrationDevice: Decodable {
    let id: String
    let name: String?
    let model: String?
    let macAddress: String?
    let ipAddress: String?
    let state: String?
}

/// `GET /v1/sites/{siteId}/devices/{deviceId}/statistics/latest`.
struct IntegrationStatistics: Decodable {
    struct Uplink: Decodable {
        let txRateBps: LooseNumber?
        let rxRateBps: LooseNumber?
    }

    let uptimeSec: LooseNumber?
    let lastHeartbeatAt: String?
    let uplink: Uplink?
}

extension DecodingError {
    /// Where the answer did not fit, in a few words (`data[2].state: expected a number`).
    var shortDescription: String {
        func path(_ keys: [any CodingKey]) -> String {
            keys.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined().trimmingCharacters(in: CharacterSet(charactersIn: "."))
        }
        switch self {
        case .dataCorrupted(let context):
            return context.codingPath.isEmpty ? "not valid JSON" + (context.underlyingError.map { " (\($0.localizedDescription))" } ?? "")
                                              : "\(path(context.codingPath)): \(context.debugDescription)"
        case .keyNotFound(let key, let context): return "\(path(context.codingPath + [key])) is missing"
        case .typeMismatch(_, let context): return "\(path(context.codingPath)): \(context.debugDescription)"
        case .valueNotFound(_, let context): return "\(path(context.codingPath)) is null"
        @unknown default: return "\(self)"
        }
    }
}
