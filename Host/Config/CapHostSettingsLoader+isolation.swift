import CapHostCore

extension CapHostSettingsLoader {
    /// `isolation:` — where each plugin file runs, its process's limits, restarts, and what a
    /// host crash during a plugin's call does to it:
    ///
    ///     isolation:
    ///       default: in-process            # or process
    ///       plugins:                       # by file stem (plugins.d/libfoo.so → libfoo)
    ///         libfoo: process
    ///         libbar: {mode: process, memory: 512MiB, cpu_seconds: 600, open_files: 256}
    ///       limits: {memory: 0, cpu_seconds: 0, open_files: 0}   # every isolated plugin's (0 = none)
    ///       restart: {initial_back_off: 200ms, maximum_back_off: 30s, quarantine_after: 5, window: 60s}
    ///       after_host_crash: process      # or refuse
    ///       after_call_threads_exhausted: process   # or refuse
    ///       start_timeout: 10s
    static func readIsolation(_ reader: MappingReader, into isolation: inout IsolationSettings) {
        let modes = IsolationSettings.Mode.allCases.map(\.rawValue)
        if let text = reader.choice("default", among: modes), let mode = IsolationSettings.Mode(rawValue: text) {
            isolation.defaultMode = mode
        }
        let defaults = reader.section("limits")
        isolation.defaultLimits = readLimits(defaults, base: IsolationSettings.Limits())
        defaults.finish()

        if let plugins = reader.value("plugins"), let entries = plugins.entries {
            let section = reader.section("plugins")
            for entry in entries {
                if entry.value.scalar != nil {
                    if let text = section.choice(entry.key, among: modes), let mode = IsolationSettings.Mode(rawValue: text) {
                        isolation.modes[entry.key] = mode
                    }
                    continue
                }
                let plugin = section.section(entry.key)
                if let text = plugin.choice("mode", among: modes), let mode = IsolationSettings.Mode(rawValue: text) {
                    isolation.modes[entry.key] = mode
                }
                let limits = readLimits(plugin, base: isolation.defaultLimits)
                if limits != isolation.defaultLimits { isolation.limits[entry.key] = limits }
                plugin.finish()
            }
            section.finish()
        } else if let plugins = reader.value("plugins"), plugins.scalar?.value != .null {
            reader.problems.expected("a mapping of plugin file stems to in-process, process, or {mode, memory, cpu_seconds, open_files}", at: plugins)
        }

        let restart = reader.section("restart")
        if let value = restart.duration("initial_back_off", minimum: .milliseconds(1)) { isolation.restart.initialBackOff = value }
        if let value = restart.duration("maximum_back_off", minimum: .milliseconds(1)) { isolation.restart.maximumBackOff = value }
        if let value = restart.int("quarantine_after", in: 1...1_000) { isolation.restart.quarantineAfter = value }
        if let value = restart.duration("window", minimum: .milliseconds(1)) { isolation.restart.window = value }
        restart.finish()

        if let text = reader.choice("after_host_crash", among: IsolationSettings.AfterHostCrash.allCases.map(\.rawValue)),
           let choice = IsolationSettings.AfterHostCrash(rawValue: text) {
            isolation.afterHostCrash = choice
        }
        if let text = reader.choice("after_call_threads_exhausted", among: IsolationSettings.AfterCallThreadsExhausted.allCases.map(\.rawValue)),
           let choice = IsolationSettings.AfterCallThreadsExhausted(rawValue: text) {
            isolation.afterCallThreadsExhausted = choice
        }
        if let value = reader.duration("start_timeout", minimum: .milliseconds(10)) { isolation.startTimeout = value }
        reader.finish()
    }

    /// `memory`, `cpu_seconds` and `open_files` of one mapping, over `base`.
    private static func readLimits(_ reader: MappingReader, base: IsolationSettings.Limits) -> IsolationSettings.Limits {
        var limits = base
        // Below 64 MiB the runner itself (the Swift runtime, Foundation) cannot start.
        if let value = reader.byteSize("memory", in: 0...(1 << 50)) {
            if value != 0 && value < 64 << 20, let node = reader.value("memory") {
                reader.problems.expected("0 (no limit) or at least 64MiB: the runner needs that much address space to start", at: node)
            } else {
                limits.memoryBytes = value
            }
        }
        if let value = reader.int("cpu_seconds", in: 0...(1 << 31)) { limits.cpuSeconds = value }
        if let value = reader.int("open_files", in: 0...(1 << 20)) {
            if value != 0 && value < 16, let node = reader.value("open_files") {
                reader.problems.expected("0 (no limit) or at least 16 descriptors", at: node)
            } else {
                limits.openFiles = value
            }
        }
        return limits
    }
}
