import CapPluginABI

/// What an outside registry says of a provider's health, for ``PluginContext/reportHealth(of:_:reason:)``.
public enum RegistryHealthState: Int32, Sendable, Hashable {
    /// No opinion: withdraws this plugin's earlier report.
    case unknown = 0
    /// Healthy: withdraws this plugin's demotion.
    case healthy = 1
    /// Unhealthy: the host demotes the provider in its slot.
    case unhealthy = 2
}

extension PluginContext {
    /// Tells the host what an outside registry says of the health of a provider it serves
    /// (host service `report_health`, ABI 1.3). ``RegistryHealthState/unhealthy`` demotes it: it
    /// ranks after every candidate of its slot not reported unhealthy, and explain names this
    /// plugin and `reason`; the other states withdraw the demotion. Repeating a report is cheap.
    ///
    /// Throws ``PluginError/notFound(_:)`` when the host serves no such provider,
    /// ``PluginError/invalidArgument(_:)`` for an id that is not `domain:category:provider`, and
    /// ``PluginError/unavailable(_:)`` from a host older than 1.3, standalone, or from `init`.
    public func reportHealth(of candidate: String, _ state: RegistryHealthState, reason: String) throws(PluginError) {
        guard let report = services.reportHealth else {
            throw PluginError.unavailable("the host does not offer report_health (ABI 1.3; host speaks \(services.abiMajor).\(services.abiMinor))")
        }
        let status = candidate.withCapStr { id in reason.withCapStr { text in report(services.host, id, state.rawValue, text) } }
        switch status {
        case CAP_OK: return
        case CAP_NOT_FOUND: throw PluginError.notFound("the host serves no provider \(candidate)")
        case CAP_INVALID_ARGUMENT: throw PluginError.invalidArgument("report_health refused \(candidate): expected domain:category:provider and UTF-8 text")
        case CAP_UNAVAILABLE: throw PluginError.unavailable("the host is not serving yet (report_health from init?)")
        default: throw PluginError(.internal, "report_health failed with status \(status)")
        }
    }
}
