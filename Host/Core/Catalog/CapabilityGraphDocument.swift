/// The JSON a plugin receives from the `describe_capabilities` host service (ABI 1.2): every
/// slot with its candidates and the active binding, in the shape the header documents.
struct CapabilityGraphDocument: Encodable {
    /// One slot and everything that competes for it.
    struct Slot: Encodable {
        let domain: String
        let category: String
        let active: String?
        let decidedBy: String
        let override: SlotOverride?
        let candidates: [Candidate]
    }

    /// One candidate, with the provider spelled out so a plugin need not parse ids.
    struct Candidate: Encodable {
        let id: String
        let provider: String
        let plugin: String
        let version: String
        let priority: Int32
        let stackLevel: Int32
        let score: Double
        let breaker: String
        let status: String
        let reason: String
        let inFlight: Int64
        let calls: Int64
        let failures: Int64
    }

    let slots: [Slot]

    init(_ explanations: [SlotExplanation]) {
        slots = explanations.map { explanation in
            Slot(domain: explanation.slot.domain, category: explanation.slot.category,
                 active: explanation.active, decidedBy: explanation.decidedBy, override: explanation.override,
                 candidates: explanation.candidates.map { candidate in
                     Candidate(id: candidate.id, provider: CapabilityID(parsing: candidate.id)?.provider ?? candidate.id,
                               plugin: candidate.plugin, version: candidate.version, priority: candidate.priority,
                               stackLevel: candidate.stackLevel, score: candidate.score, breaker: candidate.breaker,
                               status: candidate.status, reason: candidate.reason, inFlight: candidate.inFlight,
                               calls: candidate.calls, failures: candidate.failures)
                 })
        }
    }
}
