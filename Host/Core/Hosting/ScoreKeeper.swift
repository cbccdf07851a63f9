import Foundation
import CCapHostSupport
import Synchronization

/// Folds call counters into scores, half-opens breakers, health-checks
/// candidates, and performs auto-swap by score with hysteresis (SPEC §3.3):
/// when the active candidate's score stays below `swapBelow` over at least
/// `minSamples` calls and an eligible alternative scores at least
/// `promoteAbove` (or is untried with a passing health check), the active one
/// is demoted for a cool-down; after it, it is probed and wins back its place
/// if healthy.
final class ScoreKeeper: Sendable {
    private unowned let host: CapabilityHost
    private let lastHealthRound = Mutex<ContinuousClock.Instant?>(nil)

    init(host: CapabilityHost) { self.host = host }

    func tick(now: ContinuousClock.Instant = .now) async {
        let settings = host.configuration
        let healthDue = lastHealthRound.withLock { last -> Bool in
            guard let previous = last, now - previous < settings.scoring.healthInterval else { last = now; return true }
            return false
        }
        for slot in host.registry.allSlots() {
            let candidates = slot.state.withLock { $0.candidates }
            var changed = false
            for candidate in candidates where !candidate.isRetired {
                changed = fold(candidate, now: now) || changed
                if healthDue || needsRecoveryProbe(candidate, now: now) {
                    changed = await checkHealth(candidate, now: now) || changed
                }
            }
            if settings.autoSwap.enabled { changed = autoSwap(slot, now: now) || changed }
            if changed, let transition = slot.recompute(now: now) {
                CapabilityHost.recordTransition(transition, events: host.events, cause: "scores and health reviewed")
            }
        }
    }

    /// Folds new counter totals into the score; half-opens a due breaker.
    private func fold(_ candidate: Candidate, now: ContinuousClock.Instant) -> Bool {
        let scoring = host.configuration.scoring
        let totals = candidate.totals()
        let (halfOpened, scoreChanged) = candidate.control.withLock { control -> (Bool, Bool) in
            let calls = Int(totals.calls - control.foldedCalls)
            let failures = Int(totals.failures - control.foldedFailures)
            let samples = totals.latencySamples - control.foldedLatencySamples
            let latency = samples > 0
                ? Duration.nanoseconds((totals.latencyNanoseconds - control.foldedLatencyNanoseconds) / samples) : nil
            let before = control.score.value
            control.score.observe(calls: calls, failures: max(0, failures), meanLatency: latency,
                                  slo: scoring.latencyObjective, alpha: scoring.ewmaAlpha)
            control.foldedCalls = totals.calls
            control.foldedFailures = totals.failures
            control.foldedLatencyNanoseconds = totals.latencyNanoseconds
            control.foldedLatencySamples = totals.latencySamples
            // An isolated process that is down half-opens its breakers itself once it serves again.
            let halfOpened = (candidate.instance.image.isolated?.isServing ?? true)
                && control.breaker.halfOpenIfDue(coolDown: scoring.breakerCoolDown, now: now)
            if halfOpened { candidate.trial.store(TrialGate.awaiting, ordering: .releasing) }
            return (halfOpened, abs(control.score.value - before) >= 0.001)
        }
        if halfOpened {
            // One more failure re-opens it at once.
            caphost_counter_store(&candidate.counters.pointee.consecutive_failures,
                                  Int64(max(0, host.configuration.invocation.breakerThreshold - 1)))
            host.events.record(.breakerHalfOpened, subject: candidate.id.description,
                               reason: "cool-down of \(scoring.breakerCoolDown) over; the next call is a trial (one at a time until it decides)")
        }
        return halfOpened || scoreChanged
    }

    private func needsRecoveryProbe(_ candidate: Candidate, now: ContinuousClock.Instant) -> Bool {
        candidate.control.withLock { control in
            guard let demotion = control.demotion else { return false }
            return demotion.until <= now
        }
    }

    /// Health-checks one candidate; lifts an expired demotion if it is healthy.
    private func checkHealth(_ candidate: Candidate, now: ContinuousClock.Instant) async -> Bool {
        let observation = await host.checkHealth(of: candidate.instance)
        let coolDown = host.configuration.autoSwap.demotionCoolDown
        let (healthChanged, recovered, extended) = candidate.control.withLock { control -> (Bool, Bool, Bool) in
            let wasHealthy = control.lastHealth?.healthy
            control.lastHealth = observation
            control.score.health = observation.healthy ? 1 : 0
            var recovered = false
            var extended = false
            if let demotion = control.demotion, demotion.until <= now {
                if observation.healthy {
                    control.demotion = nil
                    control.score.reset()
                    recovered = true
                } else {
                    control.demotion = Demotion(until: now + coolDown, untilWallClock: WallClockTime(secondsSince1970: WallClockTime.now.secondsSince1970 + coolDown.timeInterval),
                                                score: demotion.score, threshold: demotion.threshold)
                    extended = true
                }
            }
            return (wasHealthy != observation.healthy, recovered, extended)
        }
        if healthChanged {
            host.events.record(.healthChanged, subject: candidate.id.description,
                               reason: observation.healthy ? "healthy" : "unhealthy: \(observation.status) \(observation.message)")
        }
        if recovered {
            host.events.record(.recovered, subject: candidate.id.description,
                               reason: "demotion cool-down over and health check passed; it competes for the slot again")
        }
        if extended {
            host.events.record(.demoted, subject: candidate.id.description,
                               reason: "still unhealthy after its cool-down (\(observation.status)); demoted for another \(coolDown)")
        }
        return healthChanged || recovered
    }

    /// Demotes an underperforming active candidate when a better one is ready.
    private func autoSwap(_ slot: Slot, now: ContinuousClock.Instant) -> Bool {
        let policy = host.configuration.autoSwap
        let (override, lastSwitch) = slot.state.withLock { ($0.override, $0.lastSwitch) }
        guard override == nil, let active = slot.winner else { return false }
        if let lastSwitch, now - lastSwitch < policy.minimumDwell { return false }
        let activeScore = active.control.withLock { $0.score }
        guard activeScore.samples >= policy.minSamples, activeScore.value < policy.swapBelow else { return false }

        let candidates = slot.state.withLock { $0.candidates }
        let alternatives = CandidateRanking.entries(for: candidates.filter { $0 !== active }, now: now)
            .filter { entry in
                guard entry.exclusion == nil else { return false }
                let untried = entry.control.score.samples == 0 && (entry.control.lastHealth?.healthy ?? false)
                return entry.control.score.value >= policy.promoteAbove || untried
            }
            .sorted(by: CandidateRanking.precedes)
        guard let best = alternatives.first else { return false }
        let until = now + policy.demotionCoolDown
        let untilWallClock = WallClockTime(secondsSince1970: WallClockTime.now.secondsSince1970 + policy.demotionCoolDown.timeInterval)
        active.control.withLock {
            $0.demotion = Demotion(until: until, untilWallClock: untilWallClock, score: activeScore.value, threshold: policy.swapBelow)
        }
        best.candidate.control.withLock { $0.score.samples = 0 }
        host.events.record(.demoted, subject: active.id.description,
            reason: String(format: "score %.2f < %.2f over %d calls; %@ (score %.2f) promoted; cool-down until %@",
                           activeScore.value, policy.swapBelow, activeScore.samples, best.id.description,
                           best.control.score.value, untilWallClock.timeOfDay),
            details: ["score": String(format: "%.3f", activeScore.value), "promoted": best.id.description])
        return true
    }
}
