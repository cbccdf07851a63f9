import Foundation
import NIOCore
import PluginKit

/// The UniFi router: capability `adapter:router:unifi` (SPEC §6.5, REFERENCE §5).
///
/// Reads each configured location's UniFi Network controller — classic, UniFi OS, or the
/// integration API — for its WAN links, latency, throughput, availability and device states,
/// and chooses the location whose network best carries a piece of work (seed 000 §9). Reads of
/// all locations run concurrently, each within `timeout`, and are reused for `cache_ttl`. A
/// location that cannot be read is reported and left out of choices; it does not fail the call.
public final class UniFiPlugin: CapabilityPlugin {
    /// One capability with `network_status`, `choose_location` and `health`.
    public static let manifest = PluginManifest(
        name: "unifi", version: "1.0.0", vendor: "caphost",
        flags: [.threadSafe, .parallelCreate],
        capabilities: [
            Capability(
                domain: "adapter", category: "router", provider: "unifi", priority: 50,
                description: "Network-aware routing from UniFi Network controllers (classic, UniFi OS, integration API): WAN state, latency, throughput, devices",
                methods: [
                    CapabilityMethod(
                        name: "network_status",
                        description: "Each configured location's network as its controller reports it: WAN links up/down, latency, speed-test throughput, traffic now, availability, drops, ISP, gateway and device states; or why the location could not be read",
                        inputSchema: #"{"type":"object","additionalProperties":false,"properties":{"locations":{"type":"array","items":{"type":"string"},"description":"only these locations (default: all)"}}}"#),
                    CapabilityMethod(
                        name: "choose_location",
                        description: "The location whose network best carries the work, its score, and every other location ranked with the reason it lost (or why it was not considered)",
                        inputSchema: #"{"type":"object","additionalProperties":false,"properties":{"requires_low_latency":{"type":"boolean"},"requires_high_bandwidth":{"type":"boolean"},"exclude":{"type":"array","items":{"type":"string"},"description":"location names not to choose"}}}"#),
                    CapabilityMethod(
                        name: "health",
                        description: "Whether each location's controller can be read now (login, site, data), without the network figures",
                        inputSchema: #"{"type":"object","additionalProperties":false}"#),
                ]),
        ])

    let context: PluginContext
    let configuration: UniFiConfiguration
    let sessions: [ControllerSession]
    let cache: StatusCache
    private let http: ControllerHTTP

    /// Reads and checks the configuration and prepares each location's TLS context; nothing is
    /// sent until the first call.
    public init(context: PluginContext) throws {
        self.context = context
        try UniFiConfiguration.checkKeys(context.config)
        configuration = try UniFiConfiguration(context.decodeConfig(UniFiConfiguration.Document.self))
        http = ControllerHTTP()
        var sessions: [ControllerSession] = []
        for location in configuration.locations {
            do {
                sessions.append(try ControllerSession(location: location, http: http) { [context] level, message in
                    context.log(level, message)
                })
            } catch {
                throw PluginError.invalidArgument("config: location \(location.name): cannot set up TLS with \(location.trust.summary): \(error)")
            }
        }
        self.sessions = sessions
        cache = StatusCache(ttl: configuration.cacheTTL)
        let names = configuration.locations.map { "\($0.name) (\($0.controller), site \($0.site), \($0.kind?.rawValue ?? "kind detected"), \($0.trust.summary))" }
        context.log(.info, "unifi: \(names.isEmpty ? "no locations configured" : names.joined(separator: "; ")); timeout \(configuration.timeout), cache \(configuration.cacheTTL), stale after \(configuration.staleAfter)")
    }

    /// Serves `network_status`, `choose_location` and `health`. Answers and errors pass through
    /// ``redacted(_:)``: a location's error quotes what its controller answered.
    public func invoke(_ request: PluginRequest) async throws -> PluginResponse {
        let response: PluginResponse
        do {
            switch request.method {
            case "network_status": response = try await networkStatus(request)
            case "choose_location": response = try await chooseLocation(request)
            case "health": response = try await healthAnswer(request)
            default: throw PluginError.unimplemented(request)
            }
        } catch let error as PluginError {
            throw PluginError(error.status, redacted(error.message))
        }
        let text = String(decoding: response.bytes, as: UTF8.self)
        let clean = redacted(text)
        return clean == text ? response : .text(clean)
    }

    /// Healthy as soon as one location has been read (the host's health checks are short; a
    /// slow controller's read goes on into the cache); the error names every location that cannot
    /// be read.
    public func health() async throws {
        guard !sessions.isEmpty else {
            throw PluginError.unavailable("no locations configured: add locations (name, url, site, credentials, tls) under this plugin's section of caphost.yaml")
        }
        let end = NIODeadline.now() + .nanoseconds(StatusCache.nanoseconds(configuration.timeout))
        let failed = await withTaskGroup(of: LocationStatus.self) { group in
            for session in sessions {
                group.addTask { [cache, configuration] in
                    await cache.status(of: session, deadline: end, staleAfter: configuration.staleAfter)
                }
            }
            var failed: [LocationStatus] = []
            for await status in group {
                guard status.error != nil else {
                    group.cancelAll()
                    return [LocationStatus]()
                }
                failed.append(status)
            }
            return failed
        }
        if !failed.isEmpty {
            let order = configuration.locations.map(\.name)
            let reasons = failed.sorted { (order.firstIndex(of: $0.location) ?? 0) < (order.firstIndex(of: $1.location) ?? 0) }
                .compactMap { status in status.error.map { "\(status.location): \($0.status): \($0.message)" } }
            throw PluginError.unavailable(redacted("no location can be read: " + reasons.joined(separator: "; ")))
        }
    }

    /// Stops the HTTP thread.
    public func shutdown() async {
        await http.shutdown()
    }

    /// Every session's status through the cache, read concurrently.
    func statuses(of sessions: [ControllerSession], deadline: PluginDeadline?) async -> [LocationStatus] {
        var limit = NIODeadline.now() + .nanoseconds(StatusCache.nanoseconds(configuration.timeout))
        if let deadline {
            limit = min(limit, NIODeadline.now() + .nanoseconds(StatusCache.nanoseconds(deadline.remaining)))
        }
        let end = limit
        return await withTaskGroup(of: (Int, LocationStatus).self) { group in
            for (index, session) in sessions.enumerated() {
                group.addTask { [cache, configuration] in
                    (index, await cache.status(of: session, deadline: end, staleAfter: configuration.staleAfter))
                }
            }
            var results: [(Int, LocationStatus)] = []
            for await result in group { results.append(result) }
            return results.sorted { $0.0 < $1.0 }.map(\.1)
        }
    }

    /// `text` without any configured password or API key, should a controller ever echo one.
    func redacted(_ text: String) -> String {
        configuration.locations.compactMap(\.credentials.secret).filter { $0.count >= 4 }.reduce(text) {
            $0.replacingOccurrences(of: $1, with: "[redacted]")
        }
    }
}

/// The one symbol the host looks up.
@_cdecl("cap_plugin_entry_v1")
public func capPluginEntry() -> UnsafeRawPointer { PluginExport.descriptor(for: UniFiPlugin.self) }
