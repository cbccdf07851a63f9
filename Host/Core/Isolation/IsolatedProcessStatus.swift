/// Where a plugin's code runs and, when isolated, how its process is doing: what
/// `caphost plugins`, explain and the API show.
public struct IsolationStatus: Sendable, Codable, Hashable {
    public let mode: IsolationSettings.Mode
    /// Why this mode: the configuration, or what moved the plugin (a host crash during one of
    /// its calls, its call threads exhausted).
    public let reason: String
    /// The isolated process, when `mode` is `process`.
    public let process: IsolatedProcessStatus?
}

/// An isolated plugin's process as the host sees it now.
public struct IsolatedProcessStatus: Sendable, Codable, Hashable {
    public enum State: String, Sendable, Codable, Hashable {
        /// Loading the plugin or creating the instance: calls are refused.
        case starting
        case running
        /// Ended; restarts after a back-off (calls fail over meanwhile).
        case restarting
        /// Ended too often: no restarts until an operator resumes it.
        case quarantined
        /// Retired or never established.
        case stopped
    }

    public let state: State
    public let pid: Int32?
    /// Restarts that brought it back so far.
    public let restarts: Int
    /// How the last process ended ("died of SIGSEGV", "was killed by the host (invoke … overran its deadline)").
    public let lastEnd: String?
    /// The quarantine reason, the next restart, or why it stopped.
    public let detail: String?
    public let limits: IsolationSettings.Limits
}
