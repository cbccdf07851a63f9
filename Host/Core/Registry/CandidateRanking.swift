import Foundation

/// Orders a slot's candidates and says, for each, why it won, lost or was
/// excluded. Order: an eligible operator override; then among eligible
/// candidates by priority, stack level, score, newest registration.
struct CandidateRanking {
    /// A candidate as ranking sees it: a consistent copy of its control state.
    struct Entry {
        let candidate: Candidate
        let control: CandidateControl
        let exclusion: String?

        var id: CapabilityID { candidate.id }
        /// An outside registry reports it unhealthy: it ranks after every candidate not so reported.
        var isDemotedByRegistry: Bool { control.registryHealth != nil }
        /// Score rounded to 1/1000 so jitter never reorders equal providers.
        var scoreKey: Int { Int((control.score.value * 1000).rounded()) }
    }

    /// The outcome: the winner, the sentence that decided, and a verdict per candidate.
    struct Outcome {
        let winner: Candidate?
        let decidedBy: String
        let verdicts: [CapabilityID: Verdict]
    }

    /// What ranking concluded about one candidate.
    struct Verdict {
        enum Status: String { case active, standby, excluded }
        let status: Status
        let reason: String
    }

    enum Rule: String { case registryHealth = "registry health", priority = "priority", stackLevel = "stack level", score = "score", registration = "registration order" }

    static func entries(for candidates: [Candidate], now: ContinuousClock.Instant) -> [Entry] {
        candidates.map { candidate in
            let control = candidate.control.withLock { $0 }
            return Entry(candidate: candidate, control: control, exclusion: exclusion(of: candidate, control, now: now))
        }
    }

    /// Why a candidate may not serve right now, or nil when it is eligible.
    static func exclusion(of candidate: Candidate, _ control: CandidateControl, now: ContinuousClock.Instant) -> String? {
        if candidate.isRetired { return "excluded: retired" }
        if !candidate.instance.isLive { return "excluded: instance \(candidate.instance.lifecycle)" }
        if let quarantine = candidate.instance.image.isolated?.quarantineReason {
            return "excluded: quarantined: \(quarantine)"
        }
        if case .open(_, let wallClock, let failures) = control.breaker.state {
            if let cause = control.breaker.cause { return "excluded: breaker open since \(wallClock.timeOfDay): \(cause)" }
            return "excluded: breaker open since \(wallClock.timeOfDay) after \(failures) consecutive failures"
        }
        if let drain = control.drain { return "excluded: draining since \(drain.at.timeOfDay) (\(drain.reason))" }
        if let demotion = control.demotion, demotion.until > now {
            return "demoted: score \(format(demotion.score)) < \(format(demotion.threshold)) until \(demotion.untilWallClock.timeOfDay)"
        }
        return nil
    }

    static func rank(_ entries: [Entry], override: SlotOverride?) -> Outcome {
        let eligible = entries.filter { $0.exclusion == nil }.sorted(by: precedes)
        var verdicts: [CapabilityID: Verdict] = [:]
        for entry in entries where entry.exclusion != nil {
            verdicts[entry.id] = Verdict(status: .excluded, reason: entry.exclusion!)
        }

        var overrideNote = ""
        if let override {
            let target = entries.first { $0.id.provider == override.provider }
            if let target, target.exclusion == nil {
                verdicts[target.id] = Verdict(status: .active, reason: "won: \(override.sentence)")
                for entry in eligible where entry.id != target.id {
                    let how = override.origin == .pin ? "pinned to" : "swapped to"
                    verdicts[entry.id] = Verdict(status: .standby, reason: "standby: slot \(how) \(target.id.provider) by operator")
                }
                return Outcome(winner: target.candidate, decidedBy: "\(target.id) \(override.sentence)", verdicts: verdicts)
            }
            let why = target.map { "it is \($0.exclusion!.replacingOccurrences(of: "excluded: ", with: ""))" }
                ?? "no loaded candidate has provider '\(override.provider)'"
            overrideNote = "operator \(override.origin.rawValue) on '\(override.provider)' not honoured: \(why); "
        }

        guard let winner = eligible.first else {
            let reasons = entries.map { "\($0.id.provider) \($0.exclusion!)" }.joined(separator: "; ")
            let reason = entries.isEmpty ? "no candidates registered" : "no eligible candidate (all \(entries.count) excluded: \(reasons))"
            return Outcome(winner: nil, decidedBy: overrideNote + reason, verdicts: verdicts)
        }
        let decidedBy: String
        if eligible.count == 1 {
            decidedBy = "\(winner.id) is the only eligible candidate"
            verdicts[winner.id] = Verdict(status: .active, reason: "won: only eligible candidate")
        } else {
            let runnerUp = eligible[1]
            let rule = decidingRule(winner, runnerUp)
            let sentence = "won on \(rule.rawValue) \(value(of: winner, rule)) > \(value(of: runnerUp, rule)) over \(runnerUp.id)"
            decidedBy = "\(winner.id) \(sentence)"
            verdicts[winner.id] = Verdict(status: .active, reason: sentence)
            for loser in eligible.dropFirst() {
                let rule = decidingRule(winner, loser)
                verdicts[loser.id] = Verdict(status: .standby,
                    reason: "lost on \(rule.rawValue) \(value(of: loser, rule)) < \(value(of: winner, rule)) to \(winner.id)")
            }
        }
        return Outcome(winner: winner.candidate, decidedBy: overrideNote + decidedBy, verdicts: verdicts)
    }

    /// Whether `a` ranks before `b`.
    static func precedes(_ a: Entry, _ b: Entry) -> Bool {
        if a.isDemotedByRegistry != b.isDemotedByRegistry { return !a.isDemotedByRegistry }
        if a.candidate.priority != b.candidate.priority { return a.candidate.priority > b.candidate.priority }
        if a.candidate.stackLevel != b.candidate.stackLevel { return a.candidate.stackLevel > b.candidate.stackLevel }
        if a.scoreKey != b.scoreKey { return a.scoreKey > b.scoreKey }
        return a.candidate.registrationSequence > b.candidate.registrationSequence
    }

    static func decidingRule(_ a: Entry, _ b: Entry) -> Rule {
        if a.isDemotedByRegistry != b.isDemotedByRegistry { return .registryHealth }
        if a.candidate.priority != b.candidate.priority { return .priority }
        if a.candidate.stackLevel != b.candidate.stackLevel { return .stackLevel }
        if a.scoreKey != b.scoreKey { return .score }
        return .registration
    }

    static func value(of entry: Entry, _ rule: Rule) -> String {
        switch rule {
        case .registryHealth: entry.control.registryHealth.map { "unhealthy (demoted: \($0.sentence))" } ?? "healthy"
        case .priority: "\(entry.candidate.priority)"
        case .stackLevel: "\(entry.candidate.stackLevel)"
        case .score: format(entry.control.score.value)
        case .registration: "#\(entry.candidate.registrationSequence)"
        }
    }

    static func format(_ value: Double) -> String { String(format: "%.2f", value) }
}
