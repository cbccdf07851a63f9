import CapHostCore
import Foundation

extension CapHostSettingsLoader {
    /// The top-level keys that make up the core's `HostConfiguration`.
    static func readHost(_ reader: MappingReader, into host: inout HostConfiguration) {
        if let path = reader.path("plugins_dir") { host.pluginsDirectory = path }
        if let path = reader.path("state_dir") { host.stateDirectory = path }
        if let project = reader.string("project") { host.project = project }
        if let timeout = reader.duration("create_timeout", minimum: .milliseconds(1)) { host.createTimeout = timeout }

        let probe = reader.section("probe")
        if let enabled = probe.bool("enabled") { host.probe.enabled = enabled }
        if let timeout = probe.duration("timeout", minimum: .milliseconds(1)) { host.probe.timeout = timeout }
        if let runner = probe.path("runner") { host.probe.runnerPath = runner }
        probe.finish()

        let signatures = reader.section("signatures")
        if let keys = signatures.strings("trusted_keys") {
            host.signatures.trustedKeys = keys
            if let items = signatures.value("trusted_keys")?.items {
                for item in items {
                    guard case .string(let text)? = item.scalar?.value, !text.isEmpty else { continue }
                    let bytes = Data(base64Encoded: text)?.count
                    if bytes != 32 {
                        signatures.problems.add(at: item, "expected a base64 Ed25519 public key (32 bytes), found "
                            + (bytes.map { "\($0) bytes" } ?? "text that is not base64"))
                    }
                }
            }
        }
        if let required = signatures.bool("require_signatures") { host.signatures.requireSignatures = required }
        signatures.finish()

        let invocation = reader.section("invocation")
        if let size = invocation.byteSize("max_response_bytes", in: 1...(1 << 30)) { host.invocation.maxResponseBytes = size }
        if let value = invocation.int("breaker_threshold", in: 1...10_000) { host.invocation.breakerThreshold = value }
        if let value = invocation.duration("default_timeout", minimum: .milliseconds(1)) { host.invocation.defaultTimeout = value }
        if let value = invocation.int("max_call_depth", in: 1...64) { host.invocation.maxCallDepth = value }
        if let value = invocation.int("latency_sample_interval", in: 1...65_536, what: "a power of two") {
            if value & (value - 1) == 0 {
                host.invocation.latencySampleInterval = value
            } else if let node = invocation.value("latency_sample_interval") {
                invocation.problems.expected("a power of two (1, 2, 4 … 65536)", at: node)
            }
        }
        if let value = invocation.int("max_call_threads", in: 2...4_096) { host.invocation.maxCallThreads = value }
        if let value = invocation.int("max_calls_per_plugin", in: 1...4_096) { host.invocation.maxCallsPerPlugin = value }
        if let value = invocation.int("task_threads", in: 1...1_024) { host.invocation.taskThreads = value }
        invocation.finish()

        let scoring = reader.section("scoring")
        if let value = scoring.duration("tick_interval", minimum: .milliseconds(1)) { host.scoring.tickInterval = value }
        if let value = scoring.double("ewma_alpha", in: 0.001...1) { host.scoring.ewmaAlpha = value }
        if let value = scoring.duration("latency_objective", minimum: .microseconds(1)) { host.scoring.latencyObjective = value }
        if let value = scoring.duration("health_interval", minimum: .milliseconds(10)) { host.scoring.healthInterval = value }
        if let value = scoring.duration("health_timeout", minimum: .milliseconds(1)) { host.scoring.healthTimeout = value }
        if let value = scoring.duration("breaker_cool_down", minimum: .milliseconds(1)) { host.scoring.breakerCoolDown = value }
        scoring.finish()

        let autoSwap = reader.section("auto_swap")
        if let value = autoSwap.bool("enabled") { host.autoSwap.enabled = value }
        if let value = autoSwap.double("swap_below", in: 0...1) { host.autoSwap.swapBelow = value }
        if let value = autoSwap.double("promote_above", in: 0...1) { host.autoSwap.promoteAbove = value }
        if let value = autoSwap.int("min_samples", in: 1...1_000_000) { host.autoSwap.minSamples = value }
        if let value = autoSwap.duration("demotion_cool_down") { host.autoSwap.demotionCoolDown = value }
        if let value = autoSwap.duration("minimum_dwell") { host.autoSwap.minimumDwell = value }
        if host.autoSwap.promoteAbove < host.autoSwap.swapBelow, let node = autoSwap.value("promote_above") ?? autoSwap.value("swap_below") {
            let promoteAbove = autoSwap.shown("promote_above", "\(host.autoSwap.promoteAbove)")
            let swapBelow = autoSwap.shown("swap_below", "\(host.autoSwap.swapBelow)")
            autoSwap.problems.add(at: node, "promote_above (\(promoteAbove)) must not be below swap_below (\(swapBelow)), or a swap could promote a worse provider")
        }
        autoSwap.finish()

        let watcher = reader.section("watcher")
        if let value = watcher.bool("enabled") { host.watcher.enabled = value }
        if let value = watcher.duration("debounce") { host.watcher.debounce = value }
        if let value = watcher.duration("rescan_interval", minimum: .milliseconds(100)) { host.watcher.rescanInterval = value }
        watcher.finish()

        readIsolation(reader.section("isolation"), into: &host.isolation)
    }
}
