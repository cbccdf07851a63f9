import CapPluginABI
import CCapHostSupport
import Synchronization

/// One provider of a slot from one loaded plugin version: what resolution
/// ranks and what a call leases.
///
/// Candidates are never deallocated while the host runs (a retired one costs a
/// few kilobytes, against the ≈ 55 KB of a retired Swift image that stays
/// mapped anyway), which is what lets the call path read a slot's winner
/// through a raw pointer without touching a reference count.
public final class Candidate: @unchecked Sendable {
    public let id: CapabilityID
    let capability: CapabilityDescriptor
    let instance: PluginInstance
    /// Increases with every registration: "newest registration" breaks the last tie.
    let registrationSequence: UInt64
    let registeredAt: WallClockTime
    /// Hot counters: one cache line of flags, then one line per thread stripe.
    let counters: UnsafeMutablePointer<caphost_candidate_counters>
    /// Interned method-name id for each method index.
    let methodIDs: [Int]
    /// Each method's input schema (by method index), compiled once when the
    /// candidate is made: a guarded call checks its payload against the schema
    /// of the candidate it leased. A schema that does not compile is kept as its
    /// error, reported to whoever calls the method.
    let inputSchemas: [Result<CompiledSchema, SchemaDefinitionError>]
    let control = Mutex<CandidateControl>(CandidateControl())
    /// The half-open breaker's one trial call (`TrialGate`): read with one
    /// relaxed load per call, changed only when the breaker changes state.
    let trial = Atomic<Int>(TrialGate.notHalfOpen)
    /// Copies of what every call needs, so the call path touches no other object.
    let invokeFunction: cap_invoke_fn
    let instancePointer: UnsafeMutableRawPointer?
    let capabilityIndex: UInt32
    let isThreadSafe: Bool
    /// The image's in-flight table and number (crash attribution; nil/0 when isolated).
    let inFlightSlots: UnsafeMutablePointer<UInt32>?
    let inFlightNumber: UInt32

    init(capability: CapabilityDescriptor, instance: PluginInstance, registrationSequence: UInt64) {
        self.id = capability.id
        self.capability = capability
        self.instance = instance
        self.registrationSequence = registrationSequence
        self.registeredAt = .now
        let raw = UnsafeMutableRawPointer.allocate(
            byteCount: MemoryLayout<caphost_candidate_counters>.size, alignment: 64)
        raw.initializeMemory(as: UInt8.self, repeating: 0, count: MemoryLayout<caphost_candidate_counters>.size)
        self.counters = raw.bindMemory(to: caphost_candidate_counters.self, capacity: 1)
        self.methodIDs = capability.methods.map { MethodNameTable.id(for: $0.name) }
        self.inputSchemas = capability.methods.map { method in
            Result { () throws(SchemaDefinitionError) in try JSONSchemaValidator.shared.compiled(method.inputSchema) }
        }
        self.invokeFunction = instance.image.entryPoints.invoke
        self.instancePointer = instance.pointer
        self.capabilityIndex = capability.index
        self.isThreadSafe = instance.isThreadSafe
        self.inFlightSlots = instance.image.inFlightSlots
        self.inFlightNumber = instance.image.inFlightNumber
    }

    deinit { UnsafeMutableRawPointer(counters).deallocate() }

    var priority: Int32 { capability.priority }
    var stackLevel: Int32 { capability.stackLevel }
    var plugin: PluginDescriptor { instance.image.descriptor }

    /// The method index for an interned method-name id.
    @inline(__always)
    func methodIndex(for methodID: Int) -> UInt32? {
        var index = 0
        for id in methodIDs {
            if id == methodID { return UInt32(truncatingIfNeeded: index) }
            index &+= 1
        }
        return nil
    }

    /// The stripe of the calling thread.
    @inline(__always)
    func stripe(_ index: Int) -> UnsafeMutablePointer<caphost_stripe> {
        withUnsafeMutablePointer(to: &counters.pointee.stripes) {
            UnsafeMutableRawPointer($0).assumingMemoryBound(to: caphost_stripe.self) + index
        }
    }

    var isRetired: Bool { caphost_retired_load(counters) != 0 }

    /// Takes the half-open breaker's trial for this call; false when another
    /// call holds it (or the breaker left half-open meanwhile and a call
    /// should simply proceed: then true without a trial, see `holdsTrial`).
    @inline(never)
    func beginTrial() -> (admitted: Bool, holdsTrial: Bool) {
        let (exchanged, current) = trial.compareExchange(expected: TrialGate.awaiting, desired: TrialGate.inFlight,
                                                         ordering: .acquiringAndReleasing)
        if exchanged { return (true, true) }
        return (current == TrialGate.notHalfOpen, false)
    }

    /// Hands the trial back after a call that neither closed nor re-opened the
    /// breaker (an outcome that does not count against the provider).
    func endTrial() {
        _ = trial.compareExchange(expected: TrialGate.inFlight, desired: TrialGate.awaiting, ordering: .acquiringAndReleasing)
    }

    /// Marks the candidate retired: a lease taken from now on is given back at once.
    func markRetired() { caphost_retired_store(counters) }

    /// Calls in flight right now (leases taken minus given back).
    var inFlight: Int64 { totals().inFlight }

    /// Sums the stripes.
    func totals() -> CandidateTotals {
        var totals = CandidateTotals()
        for index in 0..<Int(CAPHOST_STRIPES) {
            let stripe = self.stripe(index)
            // Read `finished` before `started` so in-flight is never negative.
            let finished = caphost_counter_load(&stripe.pointee.finished)
            totals.started += caphost_counter_load(&stripe.pointee.started)
            totals.finished += finished
            totals.aborted += caphost_counter_peek(&stripe.pointee.aborted)
            totals.failures += caphost_counter_peek(&stripe.pointee.failures)
            totals.timeouts += caphost_counter_peek(&stripe.pointee.timeouts)
            totals.latencyNanoseconds += caphost_counter_peek(&stripe.pointee.latency_ns)
            totals.latencySamples += caphost_counter_peek(&stripe.pointee.latency_count)
        }
        return totals
    }
}

/// States of `Candidate.trial`: a half-open breaker lets exactly one call
/// through at a time; the others are refused until it decides.
enum TrialGate {
    static let notHalfOpen = 0
    static let awaiting = 1
    static let inFlight = 2
}

/// Sums of a candidate's stripes.
struct CandidateTotals: Sendable {
    var started: Int64 = 0
    var finished: Int64 = 0
    var aborted: Int64 = 0
    var failures: Int64 = 0
    var timeouts: Int64 = 0
    var latencyNanoseconds: Int64 = 0
    var latencySamples: Int64 = 0

    var inFlight: Int64 { started - finished }
    /// Calls that reached the plugin and returned.
    var calls: Int64 { finished - aborted }
}
