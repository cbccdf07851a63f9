import CapHostCore
import CapHostState
import Synchronization

/// What the admin routes serve from: the host and the parts around it.
struct AdminContext: Sendable {
    let host: CapabilityHost
    let settings: AdminAPISettings
    let readiness: Readiness
    /// The durable delivery engine, when the host has a state store.
    let deliveries: DurableDelivery?
    /// Where workflow runs are recorded, when the host has a state store.
    let workflowRuns: WorkflowRunStore?
    /// Call sites of the invoke paths served so far.
    let invokeTargets = InvokeTargets()
}

/// Whether the host finished its first scan of plugins.d (for `/readyz`).
public final class Readiness: Sendable {
    private let ready = Atomic<Bool>(false)
    public init() {}
    public var isReady: Bool { ready.load(ordering: .acquiring) }
    public func markReady() { ready.store(true, ordering: .releasing) }
    public func markNotReady() { ready.store(false, ordering: .releasing) }
}
