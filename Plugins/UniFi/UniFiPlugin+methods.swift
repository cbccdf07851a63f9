import Foundation
import PluginKit

/// `network_status`, `choose_location` and `health`.
extension UniFiPlugin {
    /// `network_status` answer.
    struct NetworkStatusAnswer: Encodable {
        let locations: [LocationStatus]
        let cacheTTLS: Double

        enum CodingKeys: String, CodingKey {
            case locations, cacheTTLS = "cache_ttl_s"
        }
    }

    /// `choose_location` answer.
    struct ChoiceAnswer: Encodable {
        /// Another location and why it was not chosen.
        struct Alternative: Encodable {
            let location: String
            /// Its score; nil when it was not considered.
            let score: Double?
            let reason: String
        }

        let location: String
        let controller: String
        let score: Double
        let basis: String
        let latencyMs: Double?
        let freeDownMbps: Double?
        let availabilityPct: Double?
        let readAt: String
        let alternatives: [Alternative]

        enum CodingKeys: String, CodingKey {
            case location, controller, score, basis, alternatives
            case latencyMs = "latency_ms", freeDownMbps = "free_down_mbps", availabilityPct = "availability_pct", readAt = "read_at"
        }
    }

    /// `health` answer: each location readable or not.
    struct HealthAnswer: Encodable {
        struct Location: Encodable {
            let location: String
            let controller: String
            let kind: String?
            let trust: String
            let readable: Bool
            let error: LocationStatus.Failure?
        }

        let healthy: Bool
        let locations: [Location]
    }

    func networkStatus(_ request: PluginRequest) async throws -> PluginResponse {
        struct Input: Decodable { var locations: [String]? }
        let input = try decoded(Input.self, request, allowed: ["locations"])
        let chosen = try sessions(named: input.locations, field: "locations")
        let statuses = await statuses(of: chosen, deadline: request.deadline)
        return try .json(NetworkStatusAnswer(locations: statuses, cacheTTLS: Double(StatusCache.nanoseconds(configuration.cacheTTL)) / 1e9))
    }

    func chooseLocation(_ request: PluginRequest) async throws -> PluginResponse {
        let routing = try decoded(RoutingRequest.self, request, allowed: ["requires_low_latency", "requires_high_bandwidth", "exclude"])
        _ = try sessions(named: routing.exclude, field: "exclude")
        guard !sessions.isEmpty else {
            throw PluginError.unavailable("no locations configured: add locations under this plugin's section of caphost.yaml")
        }
        let statuses = await statuses(of: sessions, deadline: request.deadline)
        var scored: [LocationScoring.Scored] = []
        var excluded: [(String, String)] = []
        for status in statuses {
            switch LocationScoring.outcome(status, request: routing, staleAfter: configuration.staleAfter) {
            case .scored(let result): scored.append(result)
            case .excluded(let location, let reason): excluded.append((location, reason))
            }
        }
        // Stable: equal scores keep the configuration's order.
        let ranked = scored.enumerated().sorted { ($0.element.score, -$0.offset) > ($1.element.score, -$1.offset) }.map(\.element)
        guard let winner = ranked.first, let winnerStatus = statuses.first(where: { $0.location == winner.location }) else {
            throw PluginError.unavailable("no location can take the work: " + excluded.map { "\($0.0): \($0.1)" }.joined(separator: "; "))
        }
        let alternatives = ranked.dropFirst().map { ChoiceAnswer.Alternative(location: $0.location, score: $0.score, reason: LocationScoring.reason($0, below: winner)) }
            + excluded.map { ChoiceAnswer.Alternative(location: $0.0, score: nil, reason: $0.1) }
        return try .json(ChoiceAnswer(location: winner.location, controller: winnerStatus.controller, score: winner.score,
                                      basis: LocationScoring.basis(routing), latencyMs: winner.latencyMs,
                                      freeDownMbps: winner.freeDownMbps, availabilityPct: winner.availabilityPct,
                                      readAt: winnerStatus.readAt, alternatives: alternatives))
    }

    func healthAnswer(_ request: PluginRequest) async throws -> PluginResponse {
        _ = try decoded(EmptyInput.self, request, allowed: [])
        let statuses = await statuses(of: sessions, deadline: request.deadline)
        let locations = zip(sessions, statuses).map { session, status in
            HealthAnswer.Location(location: status.location, controller: status.controller, kind: status.kind,
                                  trust: session.location.trust.summary, readable: status.error == nil, error: status.error)
        }
        return try .json(HealthAnswer(healthy: locations.contains(where: \.readable), locations: locations))
    }

    private struct EmptyInput: Decodable {}

    /// The sessions of `names` (all when nil); an unknown name is refused, listing the known ones.
    private func sessions(named names: [String]?, field: String) throws(PluginError) -> [ControllerSession] {
        guard let names else { return sessions }
        let known = sessions.map(\.location.name)
        for name in names where !known.contains(name) {
            throw .notFound("\(field): '\(name)' is not a configured location; the locations: \(known.isEmpty ? "none" : known.joined(separator: ", "))")
        }
        return sessions.filter { names.contains($0.location.name) }
    }

    /// The payload as `Payload` (an empty payload reads as `{}`), refusing fields the method does
    /// not take, so a misspelt option is an error rather than ignored.
    private func decoded<Payload: Decodable>(_ type: Payload.Type, _ request: PluginRequest,
                                             allowed: Set<String>) throws(PluginError) -> Payload {
        let bytes = request.payload.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) ? Array("{}".utf8) : request.payload
        guard let object = try? JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any] else {
            throw .invalidArgument("\(request.method): the payload must be a JSON object, found \(String(decoding: bytes.prefix(80), as: UTF8.self))")
        }
        if let unknown = object.keys.sorted().first(where: { !allowed.contains($0) }) {
            throw .invalidArgument("\(request.method): unknown field '\(unknown)'; the fields: \(allowed.isEmpty ? "none" : allowed.sorted().joined(separator: ", "))")
        }
        do {
            return try JSONDecoder().decode(Payload.self, from: Data(bytes))
        } catch let error as DecodingError {
            throw .invalidArgument("\(request.method): \(error.shortDescription)")
        } catch {
            throw .invalidArgument("\(request.method): \(error)")
        }
    }
}
