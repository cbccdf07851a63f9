import CapPluginABI

/// Severity of a line written through the host's log service (`CAP_LOG_*`).
public enum PluginLogLevel: Int32, Sendable, Hashable, CaseIterable {
    /// `CAP_LOG_TRACE`
    case trace = 0
    /// `CAP_LOG_DEBUG`
    case debug = 1
    /// `CAP_LOG_INFO`
    case info = 2
    /// `CAP_LOG_WARNING`
    case warning = 3
    /// `CAP_LOG_ERROR`
    case error = 4
}
