import CapPluginABI
import CCapHostSupport
import Metrics
import Synchronization
@preconcurrency import Foundation

/// Routes calls to providers: resolve (one atomic load), lease, invoke through
/// the C function pointer, count into the calling thread's stripe, release.
/// The payload is never parsed here.
public final class Invoker: @unchecked Sendable {
    let registry: CapabilityRegistry
    let settings: InvocationSettings
    let pool: CallThreadPool
    /// Called (off the fast path) when a provider reaches the breaker threshold.
    let breakerTripped: @Sendable (Candidate, Int) -> Void
    /// Called when a provider succeeds after one or more failures.
    let recovered: @Sendable (Candidate) -> Void
    /// Called when an outside registry's report on a provider changed its standing (ABI 1.3
    /// `report_health`): the new report, nil when withdrawn, and who withdrew it.
    let registryHealthChanged: @Sendable (Candidate, RegistryHealthReport?, String) -> Void
    /// Called once per episode in which a plugin holds all its call threads (calls that overran
    /// their deadline keep theirs until the plugin returns) and further calls are refused.
    let callThreadsExhausted: @Sendable (PluginInstance, Int) -> Void
    private let sampleMask: Int64
    /// Latency histograms of guarded calls, by label set (see `Invoker+metrics`).
    let durationTimers = Mutex<[DurationLabels: Timer]>([:])
    /// The "ok" histograms, by candidate (see `recordSuccess`).
    let successTimers = Mutex<[ObjectIdentifier: Timer]>([:])
    /// Longest idempotency key a call may carry (the header promises plugins this bound).
    public static let maxIdempotencyKeyBytes = 256

    init(registry: CapabilityRegistry, settings: InvocationSettings,
         breakerTripped: @escaping @Sendable (Candidate, Int) -> Void,
         recovered: @escaping @Sendable (Candidate) -> Void,
         registryHealthChanged: @escaping @Sendable (Candidate, RegistryHealthReport?, String) -> Void = { _, _, _ in },
         callThreadsExhausted: @escaping @Sendable (PluginInstance, Int) -> Void = { _, _ in }) {
        self.registry = registry
        self.settings = settings
        self.pool = CallThreadPool(name: "caphost-call", maximumThreads: settings.maxCallThreads, taskThreads: settings.taskThreads)
        DeadlineWatchdog.shared.watch(pool)
        self.breakerTripped = breakerTripped
        self.recovered = recovered
        self.registryHealthChanged = registryHealthChanged
        self.callThreadsExhausted = callThreadsExhausted
        self.sampleMask = Int64(max(1, settings.latencySampleInterval).nextPowerOfTwo - 1)
    }

    /// The host's call threads as a task executor. A task that prefers it (the
    /// admin API runs its requests so) makes guarded calls without a thread
    /// switch: the thread that queues the plugin call runs it and resumes the task.
    public var callExecutor: any TaskExecutor { pool }

    /// Resolves `reference` and `method` into a reusable call site.
    public func callSite(_ reference: CapabilityReference, method: String) throws(InvocationError) -> CallSite {
        switch reference {
        case .slot(let key):
            guard let slot = registry.slot(key) else {
                throw InvocationError(code: .unknownSlot, message: "no capability registered for slot \(key)")
            }
            return CallSite(slot: slot, provider: nil, method: method, methodID: MethodNameTable.existingID(for: method))
        case .provider(let id):
            guard registry.candidate(id) != nil, let slot = registry.slot(id.slot) else {
                throw InvocationError(code: .unknownProvider, message: "no loaded provider \(id)")
            }
            return CallSite(slot: slot, provider: id, method: method, methodID: MethodNameTable.existingID(for: method))
        }
    }

    // MARK: - Synchronous path (the caller's thread)

    /// Calls the site's provider on the calling thread and hands the response
    /// bytes (valid only inside `body`) to `body`. A deadline that passes while
    /// the plugin runs turns the result into TIMEOUT when it returns.
    @inline(__always)
    public func invoke<R>(_ site: CallSite, payload: UnsafeRawBufferPointer, deadlineNanoseconds: UInt64 = 0,
                          _ body: (UnsafeRawBufferPointer) -> R) throws(InvocationError) -> R {
        try invoke(site, payload: payload, deadlineNanoseconds: deadlineNanoseconds, depth: 0) { bytes, _ in body(bytes) }
    }

    /// The same call for a body that returns nothing: not generic, so a caller
    /// in another module pays no generic dispatch on the hot path.
    public func invoke(_ site: CallSite, payload: UnsafeRawBufferPointer, deadlineNanoseconds: UInt64 = 0,
                       _ body: (UnsafeRawBufferPointer) -> Void) throws(InvocationError) {
        try invoke(site, payload: payload, deadlineNanoseconds: deadlineNanoseconds, depth: 0) { bytes, _ in body(bytes) }
    }

    @inline(__always)
    func invoke<R>(_ site: CallSite, payload: UnsafeRawBufferPointer, deadlineNanoseconds: UInt64, depth: Int,
                   guarded: GuardedCallState? = nil,
                   idempotencyKey: cap_str = cap_str(ptr: nil, len: 0), checksInput: Bool = false,
                   _ body: (UnsafeRawBufferPointer, Candidate) -> R) throws(InvocationError) -> R {
        if depth > settings.maxCallDepth {
            throw InvocationError(code: .callDepthExceeded, message: "host->call nested \(depth) deep (limit \(settings.maxCallDepth)) calling \(site.reference) \(site.method)")
        }
        let stripeIndex = Int(caphost_thread_stripe() & UInt32(CAPHOST_STRIPES - 1))
        let pointer = try lease(site, stripeIndex: stripeIndex)
        let result: Result<R, InvocationError> = Unmanaged<Candidate>.fromOpaque(pointer)._withUnsafeGuaranteedRef { candidate in
            guarded?.lease(candidate)
            return call(candidate, stripe: candidate.stripe(stripeIndex), site: site, payload: payload,
                        deadlineNanoseconds: deadlineNanoseconds, depth: depth, guarded: guarded,
                        idempotencyKey: idempotencyKey, checksInput: checksInput, body)
        }
        return try result.get()
    }

    /// Takes a lease on the site's provider and returns it as an unretained pointer.
    @inline(__always)
    private func lease(_ site: CallSite, stripeIndex: Int) throws(InvocationError) -> UnsafeMutableRawPointer {
        while true {
            let pointer: UnsafeMutableRawPointer
            if let id = site.provider {
                guard let candidate = registry.candidate(id) else {
                    throw InvocationError(code: .unknownProvider, message: "no loaded provider \(id)")
                }
                let exclusion = candidate.control.withLock { CandidateRanking.exclusion(of: candidate, $0, now: .now) }
                if let exclusion, !exclusion.hasPrefix("demoted") {
                    throw InvocationError(code: .providerExcluded, message: "\(id) is \(exclusion)", provider: id)
                }
                pointer = Unmanaged.passUnretained(candidate).toOpaque()
            } else {
                guard let winner = site.slot.active.load(ordering: .acquiring) else {
                    let why = site.slot.state.withLock { $0.decidedBy }
                    throw InvocationError(code: .noEligibleProvider, message: "no provider can serve \(site.slot.key): \(why)")
                }
                pointer = winner
            }
            let retired = Unmanaged<Candidate>.fromOpaque(pointer)._withUnsafeGuaranteedRef { candidate -> Bool in
                let stripe = candidate.stripe(stripeIndex)
                caphost_lease_take(stripe)
                guard caphost_retired_load(candidate.counters) == 0 else {
                    caphost_counter_add(&stripe.pointee.aborted, 1)
                    caphost_lease_give_back(stripe)
                    return true
                }
                return false
            }
            if !retired { return pointer }
            // Lost a race with retirement: the slot already publishes the successor.
        }
    }

    /// Makes the call on a leased candidate and gives the lease back.
    @inline(__always)
    private func call<R>(_ candidate: Candidate, stripe: UnsafeMutablePointer<caphost_stripe>, site: CallSite,
                         payload: UnsafeRawBufferPointer, deadlineNanoseconds: UInt64, depth: Int, guarded: GuardedCallState?,
                         idempotencyKey: cap_str, checksInput: Bool,
                         _ body: (UnsafeRawBufferPointer, Candidate) -> R) -> Result<R, InvocationError> {
        defer { caphost_lease_give_back(stripe) }
        var holdsTrial = false
        if candidate.trial.load(ordering: .relaxed) != TrialGate.notHalfOpen {
            let (admitted, trial) = candidate.beginTrial()
            guard admitted else {
                caphost_counter_add(&stripe.pointee.aborted, 1)
                return .failure(InvocationError(code: .providerExcluded,
                    message: "\(candidate.id) has a half-open breaker and its one trial call is in flight; other calls wait for its outcome",
                    provider: candidate.id))
            }
            holdsTrial = trial
        }
        defer { if holdsTrial { candidate.endTrial() } }
        // A site made before any plugin declared its method holds `unknown`: look again by name.
        guard let methodIndex = candidate.methodIndex(for: site.methodID)
                ?? (site.methodID == MethodNameTable.unknown
                    ? candidate.methodIndex(for: MethodNameTable.existingID(for: site.method)) : nil) else {
            caphost_counter_add(&stripe.pointee.aborted, 1)
            let known = candidate.capability.methods.map(\.name).joined(separator: ", ")
            return .failure(InvocationError(code: .unknownMethod,
                message: "\(candidate.id) has no method '\(site.method)' (it has: \(known))", provider: candidate.id))
        }
        if checksInput, let refusal = Self.inputRefusal(payload, candidate: candidate, methodIndex: methodIndex, method: site.method) {
            caphost_counter_add(&stripe.pointee.aborted, 1)
            return .failure(refusal)
        }
        let timed = deadlineNanoseconds != 0 || caphost_counter_peek(&stripe.pointee.started) & sampleMask == 0
        let start = timed ? caphost_monotonic_ns() : 0
        var out = cap_buffer(data: nil, len: 0, release: nil, release_ctx: nil)
        var record = CallRecord(depth: depth, deadlineNanoseconds: deadlineNanoseconds, idempotencyKey: idempotencyKey)
        // Which plugin's code this thread runs, where a host crash leaves it readable.
        let recorded = caphost_inflight_enter(candidate.inFlightSlots, candidate.inFlightNumber)
        let raw = withUnsafeMutablePointer(to: &record) { recordPointer -> cap_status in
            let argument = cap_str(ptr: payload.baseAddress?.assumingMemoryBound(to: CChar.self), len: payload.count)
            if candidate.isThreadSafe {
                return candidate.invokeFunction(candidate.instancePointer, candidate.capabilityIndex, methodIndex,
                                                argument, deadlineNanoseconds, OpaquePointer(recordPointer), &out)
            }
            return candidate.instance.callLock.withLock { _ in
                candidate.invokeFunction(candidate.instancePointer, candidate.capabilityIndex, methodIndex,
                                         argument, deadlineNanoseconds, OpaquePointer(recordPointer), &out)
            }
        }
        caphost_inflight_exit(candidate.inFlightSlots, recorded)
        var overran = false
        if timed {
            let end = caphost_monotonic_ns()
            caphost_counter_add(&stripe.pointee.latency_ns, Int64(bitPattern: end &- start))
            caphost_counter_add(&stripe.pointee.latency_count, 1)
            overran = deadlineNanoseconds != 0 && end > deadlineNanoseconds
        }
        // A guarded call whose waiter already gave up: the timeout was counted then.
        if let guarded, !guarded.claim(as: .worker) {
            Self.release(&out)
            return .failure(InvocationError(code: .timeout, message: "the waiter gave up at the deadline", provider: candidate.id))
        }
        if raw == CAP_OK && !overran {
            if out.len > settings.maxResponseBytes {
                let size = out.len
                Self.release(&out)
                recordFailure(candidate, stripe: stripe, timedOut: false)
                return .failure(InvocationError(code: .responseTooLarge,
                    message: "\(candidate.id) \(site.method) returned \(size) bytes, more than the host's limit of \(settings.maxResponseBytes) bytes (max_response_bytes); the buffer was released",
                    provider: candidate.id))
            }
            // A successful trial closes a half-open breaker even when the threshold is 1
            // (then the consecutive-failure count a half-open breaker keeps is 0).
            if holdsTrial || caphost_counter_peek(&candidate.counters.pointee.consecutive_failures) != 0 {
                caphost_counter_store(&candidate.counters.pointee.consecutive_failures, 0)
                recovered(candidate)
            }
            let value = body(UnsafeRawBufferPointer(start: out.data, count: out.data == nil ? 0 : out.len), candidate)
            Self.release(&out)
            return .success(value)
        }
        Self.release(&out)
        if overran {
            recordFailure(candidate, stripe: stripe, timedOut: true)
            let elapsed = Double(caphost_monotonic_ns() &- start) / 1e9
            let allowed = Double(deadlineNanoseconds &- start) / 1e9
            // An isolated plugin's process says what it did about the overrun (killed, restarts).
            let said = record.errorMessage.map { ": \($0)" } ?? ""
            return .failure(InvocationError(code: .timeout,
                message: "\(candidate.id) \(site.method) took \(String(format: "%.3f", elapsed)) s, past its deadline of \(String(format: "%.3f", allowed)) s\(said)",
                provider: candidate.id, pluginStatus: .timeout))
        }
        let status = PluginCallStatus(raw: raw)
        if status.countsAgainstProvider { recordFailure(candidate, stripe: stripe, timedOut: status == .timeout) }
        return .failure(InvocationError.from(status: status, message: record.errorMessage, provider: candidate.id, method: site.method))
    }

    static func release(_ buffer: inout cap_buffer) {
        if let release = buffer.release {
            release(&buffer)
        }
        buffer = cap_buffer(data: nil, len: 0, release: nil, release_ctx: nil)
    }

    func recordFailure(_ candidate: Candidate, stripe: UnsafeMutablePointer<caphost_stripe>, timedOut: Bool) {
        caphost_counter_add(&stripe.pointee.failures, 1)
        if timedOut { caphost_counter_add(&stripe.pointee.timeouts, 1) }
        let consecutive = Int(caphost_counter_add_fetch(&candidate.counters.pointee.consecutive_failures, 1))
        if consecutive >= settings.breakerThreshold { breakerTripped(candidate, consecutive) }
    }

    /// Why `payload` may not reach `candidate`'s method `methodIndex`: not JSON,
    /// against its input schema, or a schema the plugin declared unusably; nil when it may.
    static func inputRefusal(_ payload: UnsafeRawBufferPointer, candidate: Candidate, methodIndex: UInt32,
                             method: String) -> InvocationError? {
        let compiled: CompiledSchema
        switch candidate.inputSchemas[Int(methodIndex)] {
        case .success(let schema): compiled = schema
        case .failure(let definition):
            return InvocationError(code: .internal,
                message: "\(candidate.id) declares an unusable input schema for \(method): \(definition.description)",
                provider: candidate.id, payloadProblem: .invalidSchema(definition))
        }
        do throws(SchemaValidationError) {
            try compiled.validate(payload: payload, limit: JSONSchemaValidator.shared.violationLimit)
            return nil
        } catch {
            let message = switch error {
            case .invalidJSON(let parse): "the payload for \(candidate.id) \(method) is not JSON: \(parse.description)"
            default: "the payload does not match the input schema of \(candidate.id) \(method): \(error.description)"
            }
            return InvocationError(code: .invalidArgument, message: message, provider: candidate.id, payloadProblem: error)
        }
    }

    /// Checks `payload` against the input schema of the provider a call of
    /// `reference`'s `method` would reach now, without calling it: for edges
    /// that accept a call to make later (a durable delivery checks again, on the
    /// provider each attempt leases). A target or method that does not resolve
    /// passes; the call names what is missing.
    public func checkInput(_ payload: [UInt8], for reference: CapabilityReference, method: String) throws(InvocationError) {
        guard let site = try? callSite(reference, method: method), let candidate = intendedCandidate(site),
              let methodIndex = candidate.methodIndex(for: MethodNameTable.existingID(for: method)) else { return }
        let refusal = payload.withUnsafeBytes {
            Self.inputRefusal($0, candidate: candidate, methodIndex: methodIndex, method: method)
        }
        if let refusal { throw refusal }
    }

    // MARK: - Guarded calls (the edges: a pool thread; the caller waits up to the deadline)

    /// A guarded call of `reference`'s `method` (see `GuardedCall`): the payload
    /// is checked against the leased provider's input schema when `checksInput`.
    public func guardedCall(_ reference: CapabilityReference, method: String, timeout: Duration? = nil,
                            idempotencyKey: String? = nil, checksInput: Bool = true) throws(InvocationError) -> GuardedCall {
        GuardedCall(site: try callSite(reference, method: method), invoker: self, timeout: timeout,
                    idempotencyKey: idempotencyKey, checksInput: checksInput)
    }

    /// A guarded call on a site built with `callSite(_:method:)`.
    public func guardedCall(_ site: CallSite, timeout: Duration? = nil, idempotencyKey: String? = nil,
                            checksInput: Bool = true) -> GuardedCall {
        GuardedCall(site: site, invoker: self, timeout: timeout, idempotencyKey: idempotencyKey, checksInput: checksInput)
    }

    /// A guarded call whose response is copied into an `InvocationResponse`. The
    /// payload is checked against the leased provider's input schema only with
    /// `checksInput` (MCP and durable deliveries pass it; callers inside the host
    /// that made the payload themselves need not).
    /// A call that overruns returns TIMEOUT, counts as a failure and feeds the
    /// breaker; its thread stays with the plugin until the plugin returns. The
    /// plugin reads `idempotencyKey` (at most 256 bytes of UTF-8) through the
    /// host service `call_idempotency_key`, to recognise a repeated durable delivery.
    public func invoke(_ reference: CapabilityReference, method: String, payload: [UInt8],
                       timeout: Duration? = nil, idempotencyKey: String? = nil,
                       checksInput: Bool = false) async throws(InvocationError) -> InvocationResponse {
        let call = try guardedCall(reference, method: method, timeout: timeout, idempotencyKey: idempotencyKey,
                                   checksInput: checksInput)
        return try await call.response(payload: payload)
    }

    /// The same on a call site built with `callSite(_:method:)`.
    public func invoke(_ site: CallSite, payload: [UInt8], timeout: Duration? = nil,
                       idempotencyKey: String? = nil) async throws(InvocationError) -> InvocationResponse {
        try await GuardedCall(site: site, invoker: self, timeout: timeout, idempotencyKey: idempotencyKey, checksInput: false)
            .response(payload: payload)
    }
}

extension Invoker {
    /// The candidate a call on `site` would lease now (no lease is taken).
    /// Candidates live as long as the host, so the unretained read is safe.
    func intendedCandidate(_ site: CallSite) -> Candidate? {
        if let id = site.provider { return registry.candidate(id) }
        return site.slot.winner
    }
}

extension Int {
    var nextPowerOfTwo: Int { self <= 1 ? 1 : 1 << (Int.bitWidth - (self - 1).leadingZeroBitCount) }
}
