import CapHostCore
import CapHostWorkflows

/// The durable engine as a workflow's journal for `durable: true` steps: the
/// step's call is journaled under its key (a resumed run finds the delivery it
/// journaled before the stop), and the step waits for the delivery's end.
extension DurableDelivery: DurableStepCalls {
    public func deliver(_ call: DurableStepCall) async -> DurableStepOutcome {
        let submission: DeliverySubmission
        do throws(DeliveryError) {
            submission = try await submit(DeliveryRequest(target: call.target, method: call.method, payload: call.payload,
                                                          idempotencyKey: call.key, attemptTimeout: call.attemptTimeout))
        } catch {
            if error.code == .unavailable { return .interrupted(error.message) }
            return .failed(message: error.description, provider: nil, attempts: 0)
        }
        let id = submission.record.id
        let record: DeliveryRecord?
        do throws(DeliveryError) {
            record = try await finished(id: id)
        } catch {
            if error.code == .unavailable { return .interrupted(error.message) }
            return .failed(message: "delivery \(id): \(error.description)", provider: nil, attempts: 0)
        }
        guard let record else {
            return .failed(message: "delivery \(id) is no longer in the journal (finished deliveries are pruned after durable.retain_finished)",
                           provider: nil, attempts: 0)
        }
        switch record.state {
        case .delivered:
            guard let response = record.response else {
                return .failed(message: "delivery \(id) was delivered by \(record.deliveredBy ?? "?"), but its answer (\(record.responseBytes ?? 0) bytes) is larger than durable.max_payload_bytes and was not kept",
                               provider: record.deliveredBy, attempts: record.attempts)
            }
            return .delivered(delivery: id, provider: record.deliveredBy ?? call.target.description, attempts: record.attempts,
                              response: Array(response.utf8))
        case .dead:
            let provider = record.failedProviders.last.map { "\(call.target.slot):\($0)" }
            return .failed(message: "delivery \(id) dead-lettered after \(record.attempts) attempt(s): \(record.lastError ?? "no error recorded")",
                           provider: provider, attempts: record.attempts)
        case .pending, .inFlight:
            return .interrupted("delivery \(id) is still \(record.state.rawValue)")
        }
    }

    public var isStopped: Bool {
        state.withLock { $0.phase == .stopping || $0.phase == .stopped }
    }
}
