import CapHostCore
import Prometheus
import Synchronization

/// Turns the host's state into Prometheus series at scrape time: calls by
/// outcome, score, breaker state and in-flight calls per provider, retained
/// images; and counts loads and swaps from the event stream as they happen.
public final class HostMetricsCollector: Sendable {
    private struct Totals { var calls: Int64; var failures: Int64 }
    private let host: CapabilityHost
    private let registry: PrometheusCollectorRegistry
    /// Totals already counted, per provider registration (an upgrade starts a new one).
    private let counted = Mutex<[String: Totals]>([:])
    private let eventTask = Mutex<Task<Void, Never>?>(nil)

    public init(host: CapabilityHost, registry: PrometheusCollectorRegistry = MetricsExport.registry) {
        self.host = host
        self.registry = registry
    }

    /// Starts counting loads and swaps from the event stream.
    public func start() {
        let events = host.events.subscribe()
        let task = Task { [registry] in
            for await event in events {
                Self.count(event, into: registry)
            }
        }
        eventTask.withLock { $0 = task }
    }

    public func stop() {
        eventTask.withLock { $0?.cancel(); $0 = nil }
    }

    /// Brings the gauges and counters up to date; call before emitting.
    public func refresh() {
        for slot in host.capabilities() {
            let capability = slot.slot.description
            for candidate in slot.candidates {
                let labels = [("capability", capability), ("provider", candidate.id)]
                registry.gauge("caphost_provider_score", labels: labels,
                                   help: "0.5·success + 0.3·latency + 0.2·health of a provider").set(to: candidate.score)
                registry.gauge("caphost_provider_breaker_state", labels: labels,
                                   help: "Circuit breaker: 0 closed, 1 half-open, 2 open").set(to: Self.breakerValue(candidate.breaker))
                registry.gauge("caphost_provider_in_flight", labels: labels,
                                   help: "Calls in flight on a provider").set(to: Double(candidate.inFlight))
                registry.gauge("caphost_provider_active", labels: labels,
                                   help: "1 for the provider a call to the slot reaches now").set(to: candidate.status == "active" ? 1 : 0)
                let key = "\(candidate.id)#\(candidate.registration)"
                let delta = counted.withLock { counted -> Totals in
                    let previous = counted[key] ?? Totals(calls: 0, failures: 0)
                    counted[key] = Totals(calls: candidate.calls, failures: candidate.failures)
                    return Totals(calls: max(0, candidate.calls - previous.calls), failures: max(0, candidate.failures - previous.failures))
                }
                let help = "Calls to a provider by outcome"
                let succeeded = max(0, delta.calls - delta.failures)
                if succeeded > 0 {
                    registry.counter("caphost_invocations_total", labels: labels + [("outcome", "ok")], help: help)
                        .increment(by: succeeded)
                }
                if delta.failures > 0 {
                    registry.counter("caphost_invocations_total", labels: labels + [("outcome", "error")], help: help)
                        .increment(by: delta.failures)
                }
            }
        }
        let retained = host.retainedImages
        registry.gauge("caphost_retained_images", help: "Retired plugin images kept mapped (Swift images are never unloaded)")
            .set(to: Double(retained.count))
        registry.gauge("caphost_retained_image_bytes", help: "File size of the retired images kept mapped")
            .set(to: Double(retained.bytes))
        let plugins = host.plugins()
        for state in ["loaded", "failed", "quarantined", "removed", "superseded"] {
            registry.gauge("caphost_plugins", labels: [("state", state)], help: "Plugin files by state")
                .set(to: Double(plugins.filter { $0.state.rawValue == state }.count))
        }
    }

    /// The Prometheus text exposition of every metric in the process.
    public func render() -> [UInt8] {
        refresh()
        return registry.emitToBuffer()
    }

    static func breakerValue(_ name: String) -> Double {
        switch name {
        case "closed": 0
        case "half-open", "half_open", "halfOpen": 1
        default: 2
        }
    }

    static func count(_ event: HostEvent, into registry: PrometheusCollectorRegistry) {
        let loads = "Plugin loads by outcome"
        let swaps = "Provider switches by reason"
        switch event.kind {
        case .pluginLoaded:
            registry.counter("caphost_loads_total", labels: [("outcome", "loaded")], help: loads).increment()
        case .pluginUpgraded:
            registry.counter("caphost_loads_total", labels: [("outcome", "upgraded")], help: loads).increment()
        case .pluginLoadFailed:
            registry.counter("caphost_loads_total", labels: [("outcome", "failed")], help: loads).increment()
        case .pluginQuarantined:
            registry.counter("caphost_loads_total", labels: [("outcome", "quarantined")], help: loads).increment()
        case .swapCompleted:
            registry.counter("caphost_swaps_total", labels: [("capability", event.subject), ("reason", "operator")], help: swaps).increment()
        case .demoted:
            registry.counter("caphost_swaps_total", labels: [("capability", slot(of: event.subject)), ("reason", "demotion")], help: swaps).increment()
        case .breakerOpened:
            registry.counter("caphost_swaps_total", labels: [("capability", slot(of: event.subject)), ("reason", "breaker")], help: swaps).increment()
        case .slotSwitched:
            registry.counter("caphost_slot_switches_total", labels: [("capability", event.subject)],
                                 help: "Times a slot's active provider changed, for any reason").increment()
        default:
            break
        }
    }

    /// `domain:category` of a canonical id (events about providers name the provider).
    static func slot(of subject: String) -> String {
        CapabilityID(parsing: subject)?.slot.description ?? subject
    }
}

extension PrometheusCollectorRegistry {
    /// A gauge by plain name (no unit suffix), with its help text.
    func gauge(_ name: String, labels: [(String, String)] = [], help: String) -> Gauge {
        makeGauge(descriptor: MetricNameDescriptor(metricName: name, unitName: "", helpText: help), labels: labels)
    }

    /// A counter by plain name (no unit suffix), with its help text.
    func counter(_ name: String, labels: [(String, String)] = [], help: String) -> Counter {
        makeCounter(descriptor: MetricNameDescriptor(metricName: name, unitName: "", helpText: help), labels: labels)
    }
}
