import Synchronization

/// All slots and their candidates. Registering a provider that is already
/// present replaces it (Oneiric appends duplicates on every refresh: we don't).
public final class CapabilityRegistry: Sendable {
    private let slots = Mutex<[SlotKey: Slot]>([:])
    private let providers = Mutex<[CapabilityID: Candidate]>([:])
    /// Retired candidates, kept so no pointer the call path may hold dangles.
    private let retired = Mutex<[Candidate]>([])
    private let sequence = Atomic<UInt64>(0)

    public init() {}

    func slot(_ key: SlotKey) -> Slot? { slots.withLock { $0[key] } }

    func slotCreating(_ key: SlotKey) -> Slot {
        slots.withLock { slots in
            if let slot = slots[key] { return slot }
            let slot = Slot(key: key)
            slots[key] = slot
            return slot
        }
    }

    /// Every slot, in canonical order.
    func allSlots() -> [Slot] { slots.withLock { $0.values.sorted { $0.key < $1.key } } }

    /// The live candidate with this id.
    func candidate(_ id: CapabilityID) -> Candidate? { providers.withLock { $0[id] } }

    /// Every live candidate.
    func allCandidates() -> [Candidate] { providers.withLock { Array($0.values) }.sorted { $0.id < $1.id } }

    var retiredCount: Int { retired.withLock { $0.count } }

    func nextSequence() -> UInt64 { sequence.add(1, ordering: .relaxed).newValue }

    /// Adds `candidate` to its slot, replacing a live candidate with the same id.
    /// The replaced one is unpublished first, then marked retired.
    func upsert(_ candidate: Candidate) -> (replaced: Candidate?, transition: Slot.Transition?) {
        let slot = slotCreating(candidate.id.slot)
        let replaced = slot.state.withLock { state -> Candidate? in
            if let index = state.candidates.firstIndex(where: { $0.id == candidate.id }) {
                let old = state.candidates[index]
                state.candidates[index] = candidate
                return old
            }
            state.candidates.append(candidate)
            return nil
        }
        providers.withLock { $0[candidate.id] = candidate }
        let transition = slot.recompute()
        if let replaced { retire(replaced) }
        return (replaced, transition)
    }

    /// Removes `candidate` from its slot (if it is still the live one for its id),
    /// republishes the slot's winner, then marks the candidate retired.
    func remove(_ candidate: Candidate) -> Slot.Transition? {
        guard let slot = slot(candidate.id.slot) else { return nil }
        slot.state.withLock { state in state.candidates.removeAll { $0 === candidate } }
        providers.withLock { providers in
            if providers[candidate.id] === candidate { providers[candidate.id] = nil }
        }
        let transition = slot.recompute()
        retire(candidate)
        return transition
    }

    private func retire(_ candidate: Candidate) {
        candidate.markRetired()
        retired.withLock { $0.append(candidate) }
    }
}
