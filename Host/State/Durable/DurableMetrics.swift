import Metrics

/// The durable engine's metrics: queue depth and deliveries by outcome.
struct DurableMetrics: Sendable {
    /// `caphost_durable_queue_depth`: pending plus in-flight deliveries.
    let depth: Gauge
    /// `caphost_durable_deliveries_total{outcome="delivered"}`.
    let delivered: Counter
    /// `…{outcome="retried"}`: a failed attempt that will be tried again.
    let retried: Counter
    /// `…{outcome="dead"}`: dead-lettered.
    let dead: Counter

    init(factory: any MetricsFactory) {
        depth = Gauge(label: "caphost_durable_queue_depth", factory: factory)
        delivered = Counter(label: "caphost_durable_deliveries_total", dimensions: [("outcome", "delivered")], factory: factory)
        retried = Counter(label: "caphost_durable_deliveries_total", dimensions: [("outcome", "retried")], factory: factory)
        dead = Counter(label: "caphost_durable_deliveries_total", dimensions: [("outcome", "dead")], factory: factory)
    }
}
