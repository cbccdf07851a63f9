import CapHostCore
import CapHostState
import ServiceLifecycle

/// Starts the host and everything that lives on its state, and on graceful
/// shutdown (after the servers stopped) drains and flushes them in order.
struct HostLifecycleService: Service {
    let runtime: HostRuntime

    func run() async throws {
        let logger = runtime.logger
        do throws(StateError) {
            // Archive first so the run's first loads are recorded; pins before
            // the first scan so a pinned provider wins from its first load.
            _ = try runtime.archive.attach(to: runtime.host)
            let restored = try await runtime.pins.restore(into: runtime.host)
            if !restored.isEmpty { logger.info("restored \(restored.count) pin(s) from the state database") }
        } catch {
            logger.error("state database: \(error)")
            throw error
        }
        runtime.metrics.start()
        await runtime.host.start()
        runtime.mcp?.start()
        do throws(StateError) {
            try await runtime.deliveries.start()
        } catch {
            logger.error("durable deliveries could not start: \(error)")
            throw error
        }
        runtime.resumer.start()
        runtime.scores.start(host: runtime.host, every: runtime.settings.scoreSampleInterval)
        runtime.readiness.markReady()
        logger.notice("ready: \(runtime.host.plugins().count) plugin file(s), \(runtime.host.capabilities().count) slot(s)")

        // Returns on graceful shutdown, or throws when the group is cancelled: stop either way.
        try? await gracefulShutdown()

        runtime.readiness.markNotReady()
        runtime.mcp?.stop()
        await runtime.deliveries.stop()
        // Resumed runs stop before their next step (a durable wait ends now); each stays recorded as going.
        await runtime.resumer.waitForRuns()
        let abandoned = await runtime.host.stop(drainTimeout: runtime.settings.drainTimeout)
        runtime.scores.stop()
        runtime.metrics.stop()
        runtime.archive.close()
        if abandoned.isEmpty {
            logger.notice("stopped: in-flight calls drained, state flushed")
        } else {
            logger.warning("stopped after the drain timeout (\(runtime.settings.drainTimeout)); abandoned: \(abandoned.joined(separator: "; ")); state flushed")
        }
    }
}
