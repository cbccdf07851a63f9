import Foundation

/// What `choose_location` asks for.
struct RoutingRequest: Decodable, Sendable {
    var requiresLowLatency: Bool?
    var requiresHighBandwidth: Bool?
    /// Locations not to choose, by name.
    var exclude: [String]?

    enum CodingKeys: String, CodingKey {
        case exclude
        case requiresLowLatency = "requires_low_latency", requiresHighBandwidth = "requires_high_bandwidth"
    }

    var lowLatency: Bool { requiresLowLatency ?? false }
    var highBandwidth: Bool { requiresHighBandwidth ?? false }
}

/// The routing score of seed 000 §9, from the controller's own figures:
///
///     latency term    L = 1000 / max(latency_ms, 1)
///     bandwidth term  B = max(0, speed-test download Mbps − download in use now Mbps)
///     base            = L               with requires_low_latency alone
///                     = B               with requires_high_bandwidth alone
///                     = (L + B) / 2     with neither or both
///     score           = base × availability_pct / 100   (100 when the controller reports none)
///
/// A location is not scored (and says why) when its request excludes it, its controller could
/// not be read, its data is stale, its WAN is down or unknown, or a figure the base needs is
/// missing.
enum LocationScoring {
    /// A scored location and the figures behind its score.
    struct Scored: Sendable {
        let location: String
        let score: Double
        let latencyMs: Double?
        let freeDownMbps: Double?
        let availabilityPct: Double?
    }

    /// One location's outcome: a score, or why it has none.
    enum Outcome: Sendable {
        case scored(Scored)
        case excluded(location: String, reason: String)
    }

    /// The formula the request selects, in words.
    static func basis(_ request: RoutingRequest) -> String {
        switch (request.lowLatency, request.highBandwidth) {
        case (true, false): "1000 / latency_ms × availability"
        case (false, true): "free download Mbps × availability"
        default: "(1000 / latency_ms + free download Mbps) / 2 × availability"
        }
    }

    static func outcome(_ status: LocationStatus, request: RoutingRequest, staleAfter: Duration) -> Outcome {
        let name = status.location
        if request.exclude?.contains(name) == true {
            return .excluded(location: name, reason: "excluded by the request")
        }
        if let error = status.error {
            return .excluded(location: name, reason: "not readable: \(error.status): \(error.message)")
        }
        if status.stale {
            return .excluded(location: name, reason: "stale: the gateway last reported to its controller \(Int(status.lastContactAgeS ?? 0)) s ago (stale_after is \(staleAfter.components.seconds) s)")
        }
        guard let wanUp = status.wanUp else {
            return .excluded(location: name, reason: "WAN state unknown: no gateway found on site \(status.site)")
        }
        guard wanUp else {
            let links = status.wan.map { "\($0.link) down" }.joined(separator: ", ")
            return .excluded(location: name, reason: "WAN down (\(links))")
        }
        let latencyTerm = status.latencyMs.map { 1000 / max($0, 1) }
        let free = status.throughput?.downMbps.map { max(0, $0 - (status.usage?.downMbps ?? 0)) }
        let base: Double
        switch (request.lowLatency, request.highBandwidth, latencyTerm, free) {
        case (true, false, let latency?, _): base = latency
        case (false, true, _, let bandwidth?): base = bandwidth
        case (true, false, nil, _):
            return .excluded(location: name, reason: "no latency figure (\(status.kind == ControllerKind.integration.rawValue ? "the integration API reports none" : "the controller reported no www.latency, WAN monitor latency or uplink latency"))")
        case (false, true, _, nil):
            return .excluded(location: name, reason: "no bandwidth figure (\(status.kind == ControllerKind.integration.rawValue ? "the integration API reports no speed test" : "the controller reported no speed-test result"))")
        case (_, _, let latency?, let bandwidth?): base = (latency + bandwidth) / 2
        default:
            let missing = [latencyTerm == nil ? "latency" : nil, free == nil ? "speed-test bandwidth" : nil].compactMap { $0 }
            return .excluded(location: name, reason: "no \(missing.joined(separator: " or ")) figure, which the balanced score needs (\(status.kind == ControllerKind.integration.rawValue ? "the integration API reports neither" : "the controller reported none"))")
        }
        let availability = status.availabilityPct ?? 100
        let score = (base * availability / 100 * 100).rounded() / 100
        return .scored(.init(location: name, score: score, latencyMs: status.latencyMs, freeDownMbps: free.map { ($0 * 100).rounded() / 100 },
                             availabilityPct: status.availabilityPct))
    }

    /// Why `loser` ranks below `winner`, in the figures that differ.
    static func reason(_ loser: Scored, below winner: Scored) -> String {
        var parts = ["score \(format(loser.score)) < \(format(winner.score)) of \(winner.location)"]
        if let a = loser.latencyMs, let b = winner.latencyMs, a != b { parts.append("latency \(format(a)) ms vs \(format(b)) ms") }
        if let a = loser.freeDownMbps, let b = winner.freeDownMbps, a != b { parts.append("\(format(a)) Mbps free vs \(format(b))") }
        if let a = loser.availabilityPct, let b = winner.availabilityPct, a != b { parts.append("availability \(format(a)) % vs \(format(b)) %") }
        if loser.score == winner.score { parts[0] = "same score \(format(loser.score)) as \(winner.location), which comes first in the configuration" }
        return parts.joined(separator: "; ")
    }

    static func format(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(format: "%.2f", value)
    }
}
