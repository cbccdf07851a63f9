import PluginKit

/// The plugin's metrics, through the host (`metric` host service). Labels never carry a
/// credential or a record's content.
struct RegistryMetrics: Sendable {
    let context: PluginContext
    let transport: String

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
