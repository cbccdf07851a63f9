import Foundation
import PluginKit

/// What one location's controller said about its network, as `network_status` answers it, or
/// why it could not be read.
struct LocationStatus: Encodable, Sendable {
    /// One WAN link of the gateway.
    struct WANLink: Encodable, Sendable {
        /// `wan1`, `wan2`, or `wan` when only the site's health names it.
        let link: String
        let up: Bool
        let ip: String?
        /// Traffic now, from the controller's byte rates.
        let downMbps: Double?
        let upMbps: Double?
    }

    /// A device and its state, with the controller's own words for it.
    struct DeviceState: Encodable, Sendable {
        let name: String
        let mac: String?
        let model: String?
        let type: String?
        /// The classic state number (0 disconnected, 1 connected, 2 pending, 4 upgrading,
        /// 5 provisioning, 6 heartbeat missed); nil from the integration API.
        let state: Int?
        /// `connected`, `disconnected`, … (classic), or the integration API's state lower-cased
        /// (`online`, `offline`, …).
        let stateName: String
        let uptimeS: Double?
    }

    /// A link's capacity (speed test) or its traffic now, in Mbit/s.
    struct Rates: Encodable, Sendable {
        let downMbps: Double?
        let upMbps: Double?
        /// Which controller field the figures come from.
        let source: String
    }

    /// Why a location could not be read.
    struct Failure: Encodable, Sendable, Error {
        /// `UNAVAILABLE`, `PERMISSION`, `NOT_FOUND`, `TIMEOUT`, `RATE_LIMITED`.
        let status: String
        let message: String

        init(_ status: PluginStatus, _ message: String) {
            self.status = status.description.replacingOccurrences(of: "CAP_", with: "")
            self.message = message
        }
    }

    let location: String
    let controller: String
    let site: String
    /// The controller kind, as configured or detected; nil when the probe itself failed.
    var kind: String?
    /// When the plugin read the controller (ISO 8601, UTC).
    var readAt: String
    var error: Failure?

    var wanUp: Bool?
    var wan: [WANLink] = []
    var latencyMs: Double?
    /// Which controller field ``latencyMs`` comes from.
    var latencySource: String?
    /// The link's capacity as last measured by the gateway's speed test.
    var throughput: Rates?
    /// The traffic on the WAN now.
    var usage: Rates?
    /// Share of the monitoring period the WAN answered (`uptime_stats.WAN.availability`).
    var availabilityPct: Double?
    /// WAN drops the controller counted (`www.drops`).
    var drops: Double?
    var isp: String?
    /// The internet link's uptime (`www.uptime`), seconds.
    var uptimeS: Double?
    var gateway: DeviceState?
    var devices: [DeviceState] = []
    /// Seconds since the gateway last reported to its controller, when the controller says.
    var lastContactAgeS: Double?
    /// Whether ``lastContactAgeS`` exceeds `stale_after`.
    var stale: Bool = false

    init(location: LocationConfiguration, kind: ControllerKind?, readAt: Date) {
        self.location = location.name
        controller = location.controller
        site = location.site
        self.kind = kind?.rawValue
        self.readAt = Self.timestamp(readAt)
    }

    /// A status that says why the location could not be read.
    static func failed(_ location: LocationConfiguration, kind: ControllerKind?, at date: Date,
                       _ failure: Failure) -> LocationStatus {
        var status = LocationStatus(location: location, kind: kind, readAt: date)
        status.error = failure
        return status
    }

    static func timestamp(_ date: Date) -> String {
        ISO8601DateFormatter().string(from: date)
    }

    /// The classic name of a device state number.
    static func stateName(_ state: Int?) -> String {
        switch state {
        case 0?: "disconnected"
        case 1?: "connected"
        case 2?: "pending"
        case 4?: "upgrading"
        case 5?: "provisioning"
        case 6?: "heartbeat_missed"
        case let other?: "unknown(\(other))"
        case nil: "unknown"
        }
    }

    /// Bytes per second as Mbit/s, two decimals.
    static func mbps(bytesPerSecond: Double?) -> Double? {
        bytesPerSecond.map { ($0 * 8 / 1_000_000 * 100).rounded() / 100 }
    }

    enum CodingKeys: String, CodingKey {
        case location, controller, site, kind, error, wan, throughput, usage, drops, isp, gateway, devices, stale
        case readAt = "read_at", wanUp = "wan_up", latencyMs = "latency_ms", latencySource = "latency_source"
        case availabilityPct = "availability_pct", uptimeS = "uptime_s", lastContactAgeS = "last_contact_age_s"
    }
}

extension LocationStatus.WANLink {
    enum CodingKeys: String, CodingKey {
        case link, up, ip
        case downMbps = "down_mbps", upMbps = "up_mbps"
    }
}

extension LocationStatus.DeviceState {
    enum CodingKeys: String, CodingKey {
        case name, mac, model, type, state
        case stateName = "state_name", uptimeS = "uptime_s"
    }
}

extension LocationStatus.Rates {
    enum CodingKeys: String, CodingKey {
        case source
        case downMbps = "down_mbps", upMbps = "up_mbps"
    }
}
