import CapHostCore

extension CapHostSettings {
    /// The effective settings as YAML-like text, safe to log or show: secrets
    /// appear as the `${VAR}` reference they were written as, and plugin
    /// configurations are scrubbed of every known secret value.
    public var redactedDescription: String {
        func duration(_ value: Duration) -> String { DurationText.format(value) }
        var lines: [String] = []
        lines.append("# caphost settings\(file.map { " from \($0)" } ?? " (defaults)")")
        lines.append("plugins_dir: \(host.pluginsDirectory)")
        lines.append("state_dir: \(host.stateDirectory)")
        lines.append("project: \(host.project)")
        lines.append("create_timeout: \(duration(host.createTimeout))")
        lines.append("log_level: \(logLevel.rawValue)")
        lines.append("drain_timeout: \(duration(drainTimeout))")
        lines.append("score_sample_interval: \(duration(scoreSampleInterval))")
        lines.append("probe: {enabled: \(host.probe.enabled), timeout: \(duration(host.probe.timeout)), runner: \(host.probe.runnerPath ?? "beside the caphost executable")}")
        lines.append("signatures: {trusted_keys: \(host.signatures.trustedKeys.count), require_signatures: \(host.signatures.requireSignatures)}")
        let invocation = host.invocation
        lines.append("invocation: {max_response_bytes: \(invocation.maxResponseBytes), breaker_threshold: \(invocation.breakerThreshold), default_timeout: \(duration(invocation.defaultTimeout)), max_call_depth: \(invocation.maxCallDepth), latency_sample_interval: \(invocation.latencySampleInterval), max_call_threads: \(invocation.maxCallThreads)}")
        let scoring = host.scoring
        lines.append("scoring: {tick_interval: \(duration(scoring.tickInterval)), ewma_alpha: \(scoring.ewmaAlpha), latency_objective: \(duration(scoring.latencyObjective)), health_interval: \(duration(scoring.healthInterval)), health_timeout: \(duration(scoring.healthTimeout)), breaker_cool_down: \(duration(scoring.breakerCoolDown))}")
        let autoSwap = host.autoSwap
        lines.append("auto_swap: {enabled: \(autoSwap.enabled), swap_below: \(autoSwap.swapBelow), promote_above: \(autoSwap.promoteAbove), min_samples: \(autoSwap.minSamples), demotion_cool_down: \(duration(autoSwap.demotionCoolDown)), minimum_dwell: \(duration(autoSwap.minimumDwell))}")
        lines.append("watcher: {enabled: \(host.watcher.enabled), debounce: \(duration(host.watcher.debounce)), rescan_interval: \(duration(host.watcher.rescanInterval))}")
        let token = http.token == nil ? "generated into \(host.stateDirectory)/api-token" : (secretReferences["http.token"] ?? "set") + " (redacted)"
        let tls = http.tls.map { "{certificate: \($0.certificatePath), key: \($0.keyPath)}" } ?? "off"
        lines.append("http: {address: \(http.address), port: \(http.port), max_request_bytes: \(http.maxRequestBytes), keep_alive_interval: \(duration(http.keepAliveInterval)), tls: \(tls), token: \(token)}")
        lines.append("grpc: {enabled: \(grpc.enabled), address: \(grpc.address), port: \(grpc.port), package: \(grpc.package), require_token: \(grpc.requireToken)}")
        lines.append("mcp: {enabled: \(mcp.enabled)}")
        lines.append("durable: {max_attempts: \(durable.maxAttempts), initial_backoff: \(duration(durable.initialBackoff)), max_backoff: \(duration(durable.maxBackoff)), call_timeout: \(duration(durable.callTimeout)), workers: \(durable.workers), stop_timeout: \(duration(durable.stopTimeout)), max_payload_bytes: \(durable.maxPayloadBytes), retain_finished: \(duration(durable.retainFinished))}")
        if host.pluginConfigs.isEmpty {
            lines.append("plugins: {}")
        } else {
            lines.append("plugins:")
            for stem in host.pluginConfigs.keys.sorted() {
                lines.append("  \(stem): \(secrets.redact(host.pluginConfigs[stem] ?? "{}"))")
            }
        }
        return secrets.redact(lines.joined(separator: "\n"))
    }
}
