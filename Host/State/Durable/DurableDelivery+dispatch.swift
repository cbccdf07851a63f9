import CapHostCore
import Foundation

extension DurableDelivery {
    /// How long the dispatcher sleeps at most with nothing to do: a safety net
    /// (rings and the next due time normally wake it first).
    static let idleRecheck: Duration = .seconds(30)

    /// Takes due deliveries while workers are free and runs an attempt for
    /// each; sleeps until a submit, a finished attempt or the next due time.
    /// Ends when the engine stops, after the attempts it started finished.
    func dispatch() async {
        var storageFailures = 0
        await withDiscardingTaskGroup { group in
            while isRunning {
                let free = settings.workers - state.withLock { $0.inFlight }
                var timeout = Self.idleRecheck
                if free > 0 {
                    let claimed: [ClaimedDelivery]
                    do throws(StateError) {
                        claimed = try await journal.claimDue(limit: free)
                        storageFailures = 0
                    } catch {
                        storageFailures += 1
                        logger.error("durable: \(error.message); trying again")
                        await doorbell.wait(timeout: .milliseconds(100 * (1 << min(storageFailures, 8))))
                        continue
                    }
                    for delivery in claimed {
                        state.withLock { $0.inFlight += 1 }
                        group.addTask { [self] in
                            await attempt(delivery)
                            state.withLock { $0.inFlight -= 1 }
                            doorbell.ring()
                        }
                    }
                    // A full batch: more may be due right now.
                    if claimed.count == free { continue }
                    if let due = try? await journal.nextDue() {
                        let wait = due.secondsSince1970 - WallClockTime.now.secondsSince1970
                        timeout = min(Self.idleRecheck, .seconds(max(0.001, wait)))
                    }
                }
                await doorbell.wait(timeout: timeout)
            }
        }
    }

    var isRunning: Bool { state.withLock { $0.phase == .running } }

    /// One attempt of `delivery`, and its outcome journaled.
    func attempt(_ delivery: ClaimedDelivery) async {
        let attempts = delivery.attempts + 1
        guard let target = delivery.reference else {
            let error = InvocationError(code: .invalidArgument,
                message: "journaled target '\(delivery.target)' is not domain:category or domain:category:provider")
            await failed(delivery, attempts: attempts, error: error, failedProviders: delivery.failedProviders, target: nil)
            return
        }
        let route = FailoverRoute.next(for: target, failed: delivery.failedProviders, host: host)
        do {
            let response = try await host.invoker.invoke(route, method: delivery.method, payload: delivery.payload,
                                                         timeout: delivery.attemptTimeout ?? settings.attemptTimeout,
                                                         idempotencyKey: delivery.idempotencyKey, checksInput: true)
            let kept = response.body.count <= settings.maxPayloadBytes ? response.body : nil
            let journaled = await persist("delivery \(delivery.id)") { () async throws(StateError) in
                try await self.journal.markDelivered(delivery.id, by: response.provider, attempts: attempts,
                                                     response: kept, responseBytes: response.body.count)
            }
            guard journaled else { return }
            metrics.delivered.increment()
            finished(delivery.id)
        } catch {
            var failedProviders = delivery.failedProviders
            let routedProvider: String? = if case .provider(let id) = route { id.provider } else { nil }
            if let provider = error.provider?.provider ?? routedProvider, !failedProviders.contains(provider) {
                failedProviders.append(provider)
            }
            await failed(delivery, attempts: attempts, error: error, failedProviders: failedProviders, target: target)
        }
    }

    /// Journals a failed attempt: a retry (now, when an untried candidate of
    /// the slot can take it; else after a back-off), or the dead letter.
    private func failed(_ delivery: ClaimedDelivery, attempts: Int, error: InvocationError, failedProviders: [String],
                        target: CapabilityReference?) async {
        if target == nil || retry.isFinal(error, attempts: attempts) {
            let journaled = await persist("delivery \(delivery.id)") { () async throws(StateError) in
                try await self.journal.markFailed(delivery.id, attempts: attempts, error: error,
                                                  failedProviders: failedProviders, retryAt: nil)
            }
            guard journaled else { return }
            logger.warning("durable: delivery \(delivery.id) (\(delivery.target) \(delivery.method), key \(delivery.idempotencyKey)) dead after \(attempts) attempt(s): \(error)")
            metrics.dead.increment()
            finished(delivery.id)
            return
        }
        let untried = FailoverRoute.hasUntried(for: target!, failed: failedProviders, host: host)
        let delay = untried ? 0 : retry.backoff(afterAttempts: attempts).seconds
        let retryAt = WallClockTime(secondsSince1970: WallClockTime.now.secondsSince1970 + delay)
        let journaled = await persist("delivery \(delivery.id)") { () async throws(StateError) in
            try await self.journal.markFailed(delivery.id, attempts: attempts, error: error,
                                              failedProviders: failedProviders, retryAt: retryAt)
        }
        guard journaled else { return }
        logger.info("durable: delivery \(delivery.id) attempt \(attempts) failed (\(error)); retry \(untried ? "now on another provider" : String(format: "in %.3f s", delay))")
        metrics.retried.increment()
    }

    /// A delivery left the queue (delivered or dead): its waiters wake.
    private func finished(_ id: String) {
        waiters.finished(id)
        let depth = state.withLock { state -> Int in
            state.depth = max(0, state.depth - 1)
            return state.depth
        }
        metrics.depth.record(depth)
    }

    /// Runs a journal change, retrying a few times when the database fails.
    /// False when it never succeeded: the row stays `inFlight` and the next
    /// start replays it (at least once, never lost).
    private func persist(_ subject: String, _ change: @Sendable () async throws(StateError) -> Void) async -> Bool {
        var delay: Duration = .milliseconds(50)
        for attempt in 1...5 {
            do {
                try await change()
                return true
            } catch {
                logger.error("durable: cannot journal the outcome of \(subject) (try \(attempt) of 5): \(error.message)")
                try? await Task.sleep(for: delay)
                delay *= 2
            }
        }
        return false
    }
}
