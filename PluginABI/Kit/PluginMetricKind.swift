import CapPluginABI

/// What a value sent through the host's metric service means (`CAP_METRIC_*`).
public enum PluginMetricKind: Int32, Sendable, Hashable, CaseIterable {
    /// `CAP_METRIC_COUNTER_ADD`: add the value (>= 0) to a counter.
    case counter = 0
    /// `CAP_METRIC_HISTOGRAM_OBSERVE`: record the value in a histogram (seconds for durations).
    case histogram = 1
    /// `CAP_METRIC_GAUGE_SET`: set a gauge to the value.
    case gauge = 2
}
