import CapHostCore

/// Where a delivery's next attempt goes. A provider target always gets that
/// provider. A slot target gets the slot (its current winner) until some
/// provider fails the delivery; then the best other candidate that has not
/// failed it and may serve (active or standby, in resolution order: priority,
/// stack level, score, newest registration), falling back to the slot winner
/// when every such candidate has failed it.
enum FailoverRoute {
    /// The reference for the next attempt.
    static func next(for target: CapabilityReference, failed: [String], host: CapabilityHost) -> CapabilityReference {
        guard case .slot(let slot) = target, !failed.isEmpty else { return target }
        guard let alternative = alternatives(in: slot, excluding: failed, host: host).first else { return target }
        return .provider(alternative)
    }

    /// Whether a candidate of `target`'s slot that has not failed the delivery may serve now.
    static func hasUntried(for target: CapabilityReference, failed: [String], host: CapabilityHost) -> Bool {
        guard case .slot(let slot) = target else { return false }
        return !alternatives(in: slot, excluding: failed, host: host).isEmpty
    }

    /// Eligible candidates of `slot` whose provider is not in `failed`, best first.
    static func alternatives(in slot: SlotKey, excluding failed: [String], host: CapabilityHost) -> [CapabilityID] {
        guard let explanation = host.explain(slot) else { return [] }
        return explanation.candidates
            .filter { $0.status != "excluded" }
            .compactMap { candidate -> (CandidateExplanation, CapabilityID)? in
                guard let id = CapabilityID(parsing: candidate.id), !failed.contains(id.provider) else { return nil }
                return (candidate, id)
            }
            .sorted { precedes($0.0, $1.0) }
            .map(\.1)
    }

    /// The resolution order of eligible candidates (the active one first).
    private static func precedes(_ a: CandidateExplanation, _ b: CandidateExplanation) -> Bool {
        if (a.status == "active") != (b.status == "active") { return a.status == "active" }
        if a.priority != b.priority { return a.priority > b.priority }
        if a.stackLevel != b.stackLevel { return a.stackLevel > b.stackLevel }
        if a.score != b.score { return a.score > b.score }
        return a.registration > b.registration
    }
}
