/// Where each plugin file runs (`isolation:` in caphost.yaml), what an isolated plugin's
/// process may use, and how the host restarts it.
public struct IsolationSettings: Sendable {
    /// Where a plugin's code runs.
    public enum Mode: String, Sendable, Codable, Hashable, CaseIterable {
        /// `dlopen`ed into the host: fastest, but a crash takes the host down.
        case inProcess = "in-process"
        /// Served by its own `caphost-runner --serve` child: a crash or hang ends only that child.
        case process
    }

    /// What happens at the next start to a plugin that was running in the host when it died.
    public enum AfterHostCrash: String, Sendable, Codable, Hashable, CaseIterable {
        /// Load it isolated from then on (until an operator resumes it in-process).
        case process
        /// Do not load it at all (until an operator resumes it).
        case refuse
    }

    /// Limits applied to an isolated plugin's process (setrlimit in the child; 0 = none).
    public struct Limits: Sendable, Hashable, Codable {
        /// RLIMIT_AS: address space in bytes (allocations past it fail).
        public var memoryBytes: Int = 0
        /// RLIMIT_CPU: CPU seconds (SIGXCPU at the limit ends the process, which then restarts).
        public var cpuSeconds: Int = 0
        /// RLIMIT_NOFILE: open descriptors.
        public var openFiles: Int = 0
        public init(memoryBytes: Int = 0, cpuSeconds: Int = 0, openFiles: Int = 0) {
            self.memoryBytes = memoryBytes
            self.cpuSeconds = cpuSeconds
            self.openFiles = openFiles
        }
    }

    /// How an isolated process that ended is restarted, and when the host stops trying.
    public struct RestartPolicy: Sendable, Hashable {
        /// Wait before the first restart; doubled after each further end, up to `maximumBackOff`.
        public var initialBackOff: Duration = .milliseconds(200)
        public var maximumBackOff: Duration = .seconds(30)
        /// Ends within `window` that quarantine the plugin (no more restarts until resumed).
        public var quarantineAfter = 5
        public var window: Duration = .seconds(60)
        public init() {}
    }

    /// The mode of every file not named in `modes`.
    public var defaultMode: Mode = .inProcess
    /// Per plugin file stem (`libfoo` for `plugins.d/libfoo.so`).
    public var modes: [String: Mode] = [:]
    /// Limits per file stem; `defaultLimits` for the others.
    public var limits: [String: Limits] = [:]
    public var defaultLimits = Limits()
    public var restart = RestartPolicy()
    public var afterHostCrash: AfterHostCrash = .process
    /// What happens to an in-process plugin that holds all its call threads
    /// (`invocation.max_calls_per_plugin`, hung calls included).
    public enum AfterCallThreadsExhausted: String, Sendable, Codable, Hashable, CaseIterable {
        /// Reload it in its own process (where a hung call can be killed), until resumed.
        case process
        /// Keep it in-process and refuse its further calls as overloaded until one returns.
        case refuse
    }
    public var afterCallThreadsExhausted: AfterCallThreadsExhausted = .process
    /// How long a child may take to load the plugin and greet the host.
    public var startTimeout: Duration = .seconds(10)

    public init() {}

    /// The configured mode of the file with stem `stem`.
    public func mode(forStem stem: String) -> Mode { modes[stem] ?? defaultMode }

    /// The limits of the file with stem `stem`.
    public func limits(forStem stem: String) -> Limits { limits[stem] ?? defaultLimits }
}
