import CoreMetrics
import Prometheus

/// The process's Prometheus registry, bootstrapped into swift-metrics once, so
/// metrics recorded anywhere (the core, plugins through `host->metric`, the
/// durable engine) come out of `/metrics` together.
public enum MetricsExport {
    /// The registry every metric of this process lands in.
    public static let registry: PrometheusCollectorRegistry = {
        let registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.defaultDurationHistogramBuckets = [
            .microseconds(10), .microseconds(50), .microseconds(100), .microseconds(500),
            .milliseconds(1), .milliseconds(5), .milliseconds(10), .milliseconds(50),
            .milliseconds(100), .milliseconds(500), .seconds(1), .seconds(5), .seconds(30),
        ]
        MetricsSystem.bootstrap(factory)
        return registry
    }()

    /// Makes sure the bootstrap happened (call before the first metric is recorded).
    public static func bootstrap() { _ = registry }
}
