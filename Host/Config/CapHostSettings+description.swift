import CapHostCore

extension CapHostSettings {
    /// The effective settings as YAML-like text, safe to log or show: a setting read from
    /// `${VAR}` references appears as the references it was written as (secret or not: what
    /// the environment holds is never shown), and so does every such value in a plugin's
    /// section; known secret values are scrubbed from the whole text as a last guard.
    public var redactedDescription: String {
        /// `value`, or the `${VAR}` text `keyPath` was written as.
        func shown(_ keyPath: String, _ value: @autoclosure () -> String) -> String {
            referencedSettings[keyPath] ?? value()
        }
        func duration(_ keyPath: String, _ value: Duration) -> String { shown(keyPath, DurationText.format(value)) }
        /// `{key: value, …}` for the settings under `section`, each shown as above, then
        /// `described` pairs as they are.
        func mapping(_ section: String, _ pairs: [(String, String)], described: [(String, String)] = []) -> String {
            let shownPairs = pairs.map { key, value in (key, shown("\(section).\(key)", value)) }
            return "{" + (shownPairs + described).map { "\($0): \($1)" }.joined(separator: ", ") + "}"
        }
        var lines: [String] = []
        lines.append("# caphost settings\(file.map { " from \($0)" } ?? " (defaults)")")
        lines.append("plugins_dir: \(shown("plugins_dir", host.pluginsDirectory))")
        lines.append("state_dir: \(shown("state_dir", host.stateDirectory))")
        lines.append("project: \(shown("project", host.project))")
        lines.append("create_timeout: \(duration("create_timeout", host.createTimeout))")
        lines.append("log_level: \(shown("log_level", logLevel.rawValue))")
        lines.append("drain_timeout: \(duration("drain_timeout", drainTimeout))")
        lines.append("score_sample_interval: \(duration("score_sample_interval", scoreSampleInterval))")
        let probe = host.probe
        lines.append("probe: " + mapping("probe", [("enabled", "\(probe.enabled)"), ("timeout", DurationText.format(probe.timeout)),
                                                   ("runner", probe.runnerPath ?? "beside the caphost executable")]))
        lines.append("signatures: {trusted_keys: \(host.signatures.trustedKeys.count), require_signatures: \(shown("signatures.require_signatures", "\(host.signatures.requireSignatures)"))}")
        let invocation = host.invocation
        lines.append("invocation: " + mapping("invocation", [
            ("max_response_bytes", "\(invocation.maxResponseBytes)"), ("breaker_threshold", "\(invocation.breakerThreshold)"),
            ("default_timeout", DurationText.format(invocation.defaultTimeout)), ("max_call_depth", "\(invocation.maxCallDepth)"),
            ("latency_sample_interval", "\(invocation.latencySampleInterval)"), ("max_call_threads", "\(invocation.maxCallThreads)"),
            ("task_threads", invocation.taskThreads.map { "\($0)" } ?? "half the cores (at least 1)"),
        ]))
        let scoring = host.scoring
        lines.append("scoring: " + mapping("scoring", [
            ("tick_interval", DurationText.format(scoring.tickInterval)), ("ewma_alpha", "\(scoring.ewmaAlpha)"),
            ("latency_objective", DurationText.format(scoring.latencyObjective)), ("health_interval", DurationText.format(scoring.healthInterval)),
            ("health_timeout", DurationText.format(scoring.healthTimeout)), ("breaker_cool_down", DurationText.format(scoring.breakerCoolDown)),
        ]))
        let isolation = host.isolation
        func limits(_ limits: IsolationSettings.Limits) -> String {
            "{memory: \(limits.memoryBytes), cpu_seconds: \(limits.cpuSeconds), open_files: \(limits.openFiles)}"
        }
        let perPlugin = Set(isolation.modes.keys).union(isolation.limits.keys).sorted().map { stem in
            "\(stem): {mode: \(isolation.mode(forStem: stem).rawValue), limits: \(limits(isolation.limits(forStem: stem)))}"
        }
        lines.append("isolation: " + mapping("isolation", [
            ("default", isolation.defaultMode.rawValue), ("plugins", "{" + perPlugin.joined(separator: ", ") + "}"),
            ("limits", limits(isolation.defaultLimits)),
            ("restart", "{initial_back_off: \(DurationText.format(isolation.restart.initialBackOff)), maximum_back_off: \(DurationText.format(isolation.restart.maximumBackOff)), quarantine_after: \(isolation.restart.quarantineAfter), window: \(DurationText.format(isolation.restart.window))}"),
            ("after_host_crash", isolation.afterHostCrash.rawValue),
            ("after_call_threads_exhausted", isolation.afterCallThreadsExhausted.rawValue),
            ("start_timeout", DurationText.format(isolation.startTimeout)),
        ]))
        let autoSwap = host.autoSwap
        lines.append("auto_swap: " + mapping("auto_swap", [
            ("enabled", "\(autoSwap.enabled)"), ("swap_below", "\(autoSwap.swapBelow)"), ("promote_above", "\(autoSwap.promoteAbove)"),
            ("min_samples", "\(autoSwap.minSamples)"), ("demotion_cool_down", DurationText.format(autoSwap.demotionCoolDown)),
            ("minimum_dwell", DurationText.format(autoSwap.minimumDwell)),
        ]))
        lines.append("watcher: " + mapping("watcher", [
            ("enabled", "\(host.watcher.enabled)"), ("debounce", DurationText.format(host.watcher.debounce)),
            ("rescan_interval", DurationText.format(host.watcher.rescanInterval)),
        ]))
        let token = http.token == nil ? "generated into \(shown("state_dir", host.stateDirectory))/api-token"
            : (secretReferences["http.token"] ?? "set") + " (redacted)"
        let tls = http.tls.map { mapping("http.tls", [("certificate", $0.certificatePath), ("key", $0.keyPath)]) } ?? "off"
        lines.append("http: " + mapping("http", [
            ("address", http.address), ("port", "\(http.port)"), ("max_request_bytes", "\(http.maxRequestBytes)"),
            ("keep_alive_interval", DurationText.format(http.keepAliveInterval)),
        ], described: [("tls", tls), ("token", token)]))
        let jwt = grpc.jwt.map { jwt in
            "\(secretReferences["grpc.jwt.secret"] ?? "set") (redacted), project \(jwt.project ?? "any"), leeway \(DurationText.format(jwt.leeway))"
        } ?? "off"
        lines.append("grpc: " + mapping("grpc", [
            ("enabled", "\(grpc.enabled)"), ("address", grpc.address), ("port", "\(grpc.port)"), ("package", grpc.package),
            ("require_token", "\(grpc.requireToken)"), ("client_ca", grpc.clientCertificateAuthority ?? "none"),
        ], described: [("jwt", jwt)]))
        lines.append("mcp: " + mapping("mcp", [("enabled", "\(mcp.enabled)")]))
        lines.append("durable: " + mapping("durable", [
            ("max_attempts", "\(durable.maxAttempts)"), ("initial_backoff", DurationText.format(durable.initialBackoff)),
            ("max_backoff", DurationText.format(durable.maxBackoff)), ("call_timeout", DurationText.format(durable.callTimeout)),
            ("workers", "\(durable.workers)"), ("stop_timeout", DurationText.format(durable.stopTimeout)),
            ("max_payload_bytes", "\(durable.maxPayloadBytes)"), ("retain_finished", DurationText.format(durable.retainFinished)),
        ]))
        if host.pluginConfigs.isEmpty {
            lines.append("plugins: {}")
        } else {
            lines.append("plugins:")
            for stem in host.pluginConfigs.keys.sorted() {
                // Sections set in code rather than read from a file have no as-written form.
                lines.append("  \(stem): \(pluginConfigsAsWritten[stem] ?? secrets.redact(host.pluginConfigs[stem] ?? "{}"))")
            }
        }
        return secrets.redact(lines.joined(separator: "\n"))
    }
}
