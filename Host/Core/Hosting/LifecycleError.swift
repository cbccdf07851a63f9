/// Why an operator command (swap, pin, drain …) was refused.
public struct LifecycleError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Code: String, Sendable, Codable {
        case unknownSlot = "unknown_slot"
        case unknownProvider = "unknown_provider"
        case targetExcluded = "target_excluded"
        case targetUnhealthy = "target_unhealthy"
        case targetRetired = "target_retired"
        case rolledBack = "rolled_back"
        case unknownPlugin = "unknown_plugin"
        case notQuarantined = "not_quarantined"
    }

    public let code: Code
    public let message: String

    public var description: String { "\(code.rawValue): \(message)" }
}

/// The result of a completed swap.
public struct SwapOutcome: Sendable, Codable, Hashable {
    public let slot: SlotKey
    public let from: String?
    public let to: String
    /// Calls still running on the previous provider at the switch (they finish there).
    public let inFlightOnPrevious: Int64
    public let health: HealthObservation
}
