import Synchronization

/// A `(domain, category)` slot: its candidates, the operator override, and the
/// cached winner that every call reads with one atomic load.
final class Slot: @unchecked Sendable {
    struct State {
        var candidates: [Candidate] = []
        var override: SlotOverride?
        var activeID: CapabilityID?
        var decidedBy = "no candidates registered"
        var lastSwitch: ContinuousClock.Instant?
    }

    /// A change of winner.
    struct Transition: Sendable {
        let slot: SlotKey
        let from: CapabilityID?
        let to: CapabilityID?
        let decidedBy: String
    }

    let key: SlotKey
    /// The winner as an unretained `Candidate` pointer (candidates are never freed).
    let active = Atomic<UnsafeMutableRawPointer?>(nil)
    let state = Mutex<State>(State())
    /// Serialises swaps, upgrades and retirements on this slot.
    let operations = AsyncSerialLock()

    init(key: SlotKey) { self.key = key }

    /// The current winner (control plane; the call path reads `active` directly).
    var winner: Candidate? {
        active.load(ordering: .acquiring).map { Unmanaged<Candidate>.fromOpaque($0).takeUnretainedValue() }
    }

    /// Re-ranks and publishes the winner if it changed. Call with any state change.
    @discardableResult
    func recompute(now: ContinuousClock.Instant = .now) -> Transition? {
        state.withLock { state in
            let outcome = CandidateRanking.rank(CandidateRanking.entries(for: state.candidates, now: now), override: state.override)
            state.decidedBy = outcome.decidedBy
            let newID = outcome.winner?.id
            let newPointer = outcome.winner.map { Unmanaged.passUnretained($0).toOpaque() }
            let oldPointer = active.load(ordering: .relaxed)
            guard newPointer != oldPointer else { return nil }
            active.store(newPointer, ordering: .sequentiallyConsistent)
            let oldID = state.activeID
            state.activeID = newID
            state.lastSwitch = now
            return Transition(slot: key, from: oldID, to: newID, decidedBy: outcome.decidedBy)
        }
    }

    func explain(now: ContinuousClock.Instant = .now) -> SlotExplanation {
        state.withLock { state in
            let entries = CandidateRanking.entries(for: state.candidates, now: now)
            let outcome = CandidateRanking.rank(entries, override: state.override)
            let candidates = entries.map { entry in
                let verdict = outcome.verdicts[entry.id]
                let totals = entry.candidate.totals()
                let score = entry.control.score
                return CandidateExplanation(
                    id: entry.id.description, plugin: entry.candidate.plugin.name,
                    version: entry.candidate.plugin.version.description,
                    priority: entry.candidate.priority, stackLevel: entry.candidate.stackLevel,
                    score: (score.value * 1000).rounded() / 1000,
                    scoreParts: ScoreParts(successRate: score.successRate, latency: score.latency, health: score.health, samples: score.samples),
                    breaker: entry.control.breaker.name,
                    status: verdict?.status.rawValue ?? "standby", reason: verdict?.reason ?? "",
                    inFlight: totals.inFlight, calls: totals.calls, failures: totals.failures,
                    registration: entry.candidate.registrationSequence, lastHealth: entry.control.lastHealth,
                    isolation: entry.candidate.instance.image.isolated == nil ? .inProcess : .process)
            }
            return SlotExplanation(slot: key, active: outcome.winner?.id.description, decidedBy: outcome.decidedBy,
                                   override: state.override, candidates: candidates)
        }
    }
}
