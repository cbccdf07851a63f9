import PluginKit
import Synchronization

/// The plugin's metrics, through the host (`metric` host service). Labels never carry a
/// credential or a record's content.
struct RegistryMetrics: Sendable {
    let context: PluginContext
    let transport: String
    /// Cache hits not yet reported: a hit is the plugin's hot path (a few µs), so hits are
    /// counted here and handed to the host in batches.
    private let pendingHits = PendingCount()
    static let hitBatch = 64

    func request(method: String, outcome: String, seconds duration: Duration) {
        context.metric(.counter, "oneiric_requests_total", labels: ["transport": transport, "method": method, "outcome": outcome], value: 1)
        let seconds = Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
        context.metric(.histogram, "oneiric_request_duration_seconds", labels: ["transport": transport], value: seconds)
    }

    /// 1 after the registry answered, 0 after it could not.
    func reachable(_ up: Bool) {
        context.metric(.gauge, "oneiric_registry_reachable", labels: ["transport": transport], value: up ? 1 : 0)
    }

    func cache(_ result: String) {
        context.metric(.counter, "oneiric_cache_total", labels: ["result": result], value: 1)
    }

    /// One cache hit; reported to the host every ``hitBatch`` hits.
    func cacheHit() {
        if pendingHits.add() { context.metric(.counter, "oneiric_cache_total", labels: ["result": "hit"], value: Double(Self.hitBatch)) }
    }

    func fallback() {
        context.metric(.counter, "oneiric_fallbacks_total", value: 1)
    }

    func breakerOpened() {
        context.metric(.counter, "oneiric_breaker_opened_total", labels: ["transport": transport], value: 1)
    }

    func announcement(_ outcome: String) {
        context.metric(.counter, "oneiric_announcements_total", labels: ["outcome": outcome], value: 1)
    }
}

/// A counter that says when it has reached a batch (and starts again).
final class PendingCount: Sendable {
    private let count = Atomic<Int>(0)

    /// True once every ``RegistryMetrics/hitBatch`` calls.
    func add() -> Bool {
        count.wrappingAdd(1, ordering: .relaxed).newValue % RegistryMetrics.hitBatch == 0
    }
}
