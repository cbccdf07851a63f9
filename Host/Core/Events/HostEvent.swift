/// Something that happened to a plugin, a slot or a provider, with its reason.
/// Every load, failure, swap, demotion and retirement is one.
public struct HostEvent: Sendable, Codable, Hashable {
    /// What kind of thing happened.
    public enum Kind: String, Sendable, Codable, Hashable, CaseIterable {
        case pluginLoaded = "plugin_loaded"
        case pluginLoadFailed = "plugin_load_failed"
        case pluginQuarantined = "plugin_quarantined"
        case pluginUpgraded = "plugin_upgraded"
        case pluginRemoved = "plugin_removed"
        case candidateRegistered = "candidate_registered"
        case candidateRetired = "candidate_retired"
        case instanceDestroyed = "instance_destroyed"
        case slotSwitched = "slot_switched"
        case swapRequested = "swap_requested"
        case swapCompleted = "swap_completed"
        case swapFailed = "swap_failed"
        case swapRolledBack = "swap_rolled_back"
        case pinned = "pinned"
        case unpinned = "unpinned"
        case drainStarted = "drain_started"
        case drainCompleted = "drain_completed"
        case resumed = "resumed"
        case breakerOpened = "breaker_opened"
        case breakerHalfOpened = "breaker_half_opened"
        case breakerClosed = "breaker_closed"
        case demoted = "demoted"
        case recovered = "recovered"
        case healthChanged = "health_changed"
        case callThreadsExhausted = "call_threads_exhausted"
        /// An isolated plugin's process ended (crash, exit, or killed after overrunning a deadline).
        case isolatedProcessEnded = "isolated_process_ended"
        /// An isolated plugin's process was restarted and serves again.
        case isolatedProcessRestarted = "isolated_process_restarted"
        /// A plugin moved to (or was refused in-process for) isolated mode: after a host crash
        /// during its call, or with its call threads exhausted.
        case isolationChanged = "isolation_changed"
    }

    /// Increasing number: within one host run, and across runs when the host
    /// keeps its events in a state archive (`EventLog.continueNumbering(after:)`).
    public let sequence: UInt64
    public let time: WallClockTime
    public let kind: Kind
    /// What it is about: a canonical capability id, a slot, or a plugin file.
    public let subject: String
    /// Why, in a sentence for the operator.
    public let reason: String
    /// Extra facts (versions, scores, counts), as strings.
    public let details: [String: String]
}
