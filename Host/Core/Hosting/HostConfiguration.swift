import Foundation

/// Everything the host core needs to run, with the documented defaults.
public struct HostConfiguration: Sendable {
    /// The drop folder watched for `*.so` plugins.
    public var pluginsDirectory: String
    /// The state directory (`<state>/loaded/` holds the content-addressed images).
    public var stateDirectory: String
    /// The project this host announces itself as in its adapter catalog (gRPC, MCP).
    public var project = "caphost"

    public var probe = ProbeSettings()
    public var signatures = SignatureSettings()
    public var invocation = InvocationSettings()
    public var scoring = ScoringSettings()
    public var autoSwap = AutoSwapSettings()
    public var watcher = WatcherSettings()
    /// Which plugins run in their own process, their limits and restarts (issue 17).
    public var isolation = IsolationSettings()
    /// Per-plugin configuration (JSON text) by plugin file stem (`libecho_c` for
    /// `libecho_c.so`); a `STEM.json` beside the file in plugins.d wins.
    public var pluginConfigs: [String: String] = [:]
    /// Reads a plugin's own configuration file (e.g. `STEM.yaml`) and returns it as
    /// JSON text, or nil when the plugin has none; consulted before `STEM.json`
    /// and `pluginConfigs`. Thrown errors fail that plugin's load (check `config`)
    /// with the error's description. Lets a configuration format live outside the core.
    public var pluginConfigLoader: (@Sendable (_ stem: String, _ directory: String) throws -> String?)?
    /// How long `create` and the first health check may take in the host process.
    public var createTimeout: Duration = .seconds(10)

    public init(pluginsDirectory: String, stateDirectory: String) {
        self.pluginsDirectory = pluginsDirectory
        self.stateDirectory = stateDirectory
    }

    /// Probe-before-load settings.
    public struct ProbeSettings: Sendable {
        public var enabled = true
        public var timeout: Duration = .seconds(5)
        /// Path of `caphost-runner`; nil = beside the running executable.
        public var runnerPath: String?
        public init() {}
    }

    /// Signature verification settings.
    public struct SignatureSettings: Sendable {
        /// Base64 raw 32-byte Ed25519 public keys.
        public var trustedKeys: [String] = []
        public var requireSignatures = false
        public init() {}
    }

    /// How scores, health and breakers evolve.
    public struct ScoringSettings: Sendable {
        /// How often scores are folded and breakers/demotions reviewed.
        public var tickInterval: Duration = .milliseconds(250)
        /// EWMA weight of one call.
        public var ewmaAlpha = 0.1
        /// Latency objective per call: at or under it scores 1.
        public var latencyObjective: Duration = .milliseconds(100)
        /// How often every candidate's health is checked.
        public var healthInterval: Duration = .seconds(10)
        public var healthTimeout: Duration = .seconds(2)
        /// How long an open breaker waits before a trial call.
        public var breakerCoolDown: Duration = .seconds(10)
        public init() {}
    }

    /// Auto-swap by score (SPEC §3.3).
    public struct AutoSwapSettings: Sendable {
        public var enabled = true
        public var swapBelow = 0.7
        public var promoteAbove = 0.9
        public var minSamples = 20
        /// How long a demoted candidate sits out before it is probed.
        public var demotionCoolDown: Duration = .seconds(30)
        /// Minimum time between two automatic switches of one slot.
        public var minimumDwell: Duration = .seconds(5)
        public init() {}
    }

    /// plugins.d watching.
    public struct WatcherSettings: Sendable {
        public var enabled = true
        public var debounce: Duration = .milliseconds(20)
        public var rescanInterval: Duration = .seconds(2)
        public init() {}
    }
}
