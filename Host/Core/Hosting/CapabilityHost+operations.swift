extension CapabilityHost {
    /// Makes `target` the slot's active provider: health-checks it first, then
    /// switches with one atomic store; calls in flight on the previous provider
    /// finish there. Serialised per slot. The choice stays until `unpin`.
    @discardableResult
    public func swap(to target: CapabilityID, reason: String = "operator swap") async throws(LifecycleError) -> SwapOutcome {
        guard let slot = registry.slot(target.slot) else {
            throw LifecycleError(code: .unknownSlot, message: "no capability registered for slot \(target.slot)")
        }
        let result: Result<SwapOutcome, LifecycleError> = await slot.operations.withLock {
            guard let candidate = registry.candidate(target) else {
                return .failure(LifecycleError(code: .unknownProvider, message: "no loaded provider \(target)"))
            }
            events.record(.swapRequested, subject: slot.key.description, reason: "\(reason): to \(target)")
            let exclusion = candidate.control.withLock { CandidateRanking.exclusion(of: candidate, $0, now: .now) }
            if let exclusion, !exclusion.hasPrefix("demoted") {
                events.record(.swapFailed, subject: slot.key.description, reason: "\(target) is \(exclusion)")
                return .failure(LifecycleError(code: .targetExcluded, message: "\(target) is \(exclusion)"))
            }
            let health = await checkHealth(of: candidate.instance)
            candidate.control.withLock { $0.lastHealth = health; $0.score.health = health.healthy ? 1 : 0 }
            guard health.healthy else {
                events.record(.swapFailed, subject: slot.key.description,
                              reason: "health check of \(target) returned \(health.status): \(health.message); nothing changed")
                return .failure(LifecycleError(code: .targetUnhealthy,
                    message: "health check of \(target) returned \(health.status)\(health.message.isEmpty ? "" : ": \(health.message)"); the slot still serves \(slot.winner?.id.description ?? "nothing")"))
            }
            guard !candidate.isRetired, candidate.instance.isLive else {
                events.record(.swapFailed, subject: slot.key.description, reason: "\(target) was retired during the swap")
                return .failure(LifecycleError(code: .targetRetired, message: "\(target) was retired while the swap health-checked it"))
            }
            let previous = slot.winner
            let previousOverride = slot.state.withLock { state -> SlotOverride? in
                let old = state.override
                state.override = SlotOverride(provider: target.provider, origin: .swap, at: .now)
                return old
            }
            let transition = slot.recompute()
            guard slot.winner === candidate else {
                // Something made the target ineligible between the check and the switch:
                // restore the previous choice (only live candidates are ever re-bound).
                slot.state.withLock { $0.override = previousOverride }
                slot.recompute()
                let why = slot.state.withLock { $0.decidedBy }
                events.record(.swapRolledBack, subject: slot.key.description, reason: "\(target) could not be bound: \(why)")
                return .failure(LifecycleError(code: .rolledBack, message: "\(target) could not be bound (\(why)); rolled back"))
            }
            if let transition { Self.recordTransition(transition, events: events, cause: reason) }
            let inFlight = previous.map { $0 === candidate ? 0 : $0.inFlight } ?? 0
            events.record(.swapCompleted, subject: slot.key.description,
                          reason: "\(previous?.id.provider ?? "nothing") → \(target.provider) (\(reason)); \(inFlight) call(s) finishing on the previous provider",
                          details: ["from": previous?.id.description ?? "", "to": target.description])
            return .success(SwapOutcome(slot: slot.key, from: previous?.id.description, to: target.description,
                                        inFlightOnPrevious: inFlight, health: health))
        }
        return try result.get()
    }

    /// Pins `slot` to `provider` (which need not be loaded yet). If the pinned
    /// candidate is not eligible, `explain` says so and rules decide meanwhile.
    public func pin(_ slot: SlotKey, to provider: String) async {
        let target = registry.slotCreating(slot)
        await target.operations.withLock {
            target.state.withLock { $0.override = SlotOverride(provider: provider, origin: .pin, at: .now) }
            let transition = target.recompute()
            let decided = target.state.withLock { $0.decidedBy }
            events.record(.pinned, subject: slot.description, reason: "pinned to \(provider); \(decided)",
                          details: ["provider": provider])
            if let transition { Self.recordTransition(transition, events: events, cause: "pin to \(provider)") }
        }
    }

    /// Removes the slot's pin or operator swap choice: rules decide again.
    public func unpin(_ slot: SlotKey) async throws(LifecycleError) {
        guard let target = registry.slot(slot) else {
            throw LifecycleError(code: .unknownSlot, message: "no capability registered for slot \(slot)")
        }
        await target.operations.withLock {
            let old = target.state.withLock { state -> SlotOverride? in
                defer { state.override = nil }
                return state.override
            }
            let transition = target.recompute()
            events.record(.unpinned, subject: slot.description, reason: old.map { "removed \($0.origin.rawValue) on \($0.provider)" } ?? "no pin was set",
                          details: old.map { ["provider": $0.provider, "origin": $0.origin.rawValue] } ?? [:])
            if let transition { Self.recordTransition(transition, events: events, cause: "unpin") }
        }
    }

    /// Stops new calls to `provider`; calls in flight finish. Completes when they have.
    /// Returns how many calls were in flight when the drain began.
    @discardableResult
    public func drain(_ provider: CapabilityID, reason: String = "operator drain") async throws(LifecycleError) -> Int64 {
        guard let candidate = registry.candidate(provider), let slot = registry.slot(provider.slot) else {
            throw LifecycleError(code: .unknownProvider, message: "no loaded provider \(provider)")
        }
        let inFlight = await slot.operations.withLock { () -> Int64 in
            candidate.control.withLock { $0.drain = OperatorAction(at: .now, reason: reason) }
            let transition = slot.recompute()
            let inFlight = candidate.inFlight
            events.record(.drainStarted, subject: provider.description, reason: "\(reason); \(inFlight) call(s) in flight")
            if let transition { Self.recordTransition(transition, events: events, cause: "drain of \(provider)") }
            return inFlight
        }
        var wait: Duration = .milliseconds(1)
        while candidate.inFlight > 0 {
            try? await Task.sleep(for: wait)
            wait = min(wait * 2, .milliseconds(50))
        }
        events.record(.drainCompleted, subject: provider.description, reason: "no calls in flight; \(inFlight) finished after the drain began")
        return inFlight
    }

    /// Lets a drained provider serve again.
    public func resume(_ provider: CapabilityID) async throws(LifecycleError) {
        guard let candidate = registry.candidate(provider), let slot = registry.slot(provider.slot) else {
            throw LifecycleError(code: .unknownProvider, message: "no loaded provider \(provider)")
        }
        await slot.operations.withLock {
            candidate.control.withLock { $0.drain = nil }
            let transition = slot.recompute()
            events.record(.resumed, subject: provider.description, reason: "drain lifted")
            if let transition { Self.recordTransition(transition, events: events, cause: "resume of \(provider)") }
        }
    }
}
