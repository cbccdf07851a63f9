import CapPluginABI
import CCapHostSupport

/// One call from an edge of the host — the HTTP API, MCP, durable deliveries,
/// workflows — from lease to response, on one path:
///
/// 1. the provider is resolved once and leased (the lease holds it through the call);
/// 2. the payload is checked against *that* provider's input schema, compiled
///    when it was loaded (a swap between check and call cannot send a payload
///    to a provider whose schema it breaks);
/// 3. the plugin runs on a host call thread (Swift's cooperative threads are
///    never lent to a plugin) under the call's deadline; the waiter is freed at
///    the deadline even when the plugin is not. A caller whose task prefers the
///    call threads (`Invoker.callExecutor`) is resumed on the thread that ran
///    the plugin: queue, call and answer without a thread switch;
/// 4. the response is built from the plugin's `cap_buffer` on that thread,
///    before the buffer is released: `respond` makes whatever the edge sends
///    (an HTTP body, a byte array) with one copy.
///
/// Make one with `Invoker.guardedCall(_:method:)` and run it with `run`.
public struct GuardedCall: Sendable {
    /// The target and method, resolved to a call site.
    public let site: CallSite
    /// The call's deadline from its start; the host's default when nil.
    public var timeout: Duration?
    /// What the plugin reads through `call_idempotency_key` (at most 256 bytes).
    public var idempotencyKey: String?
    /// Whether the payload is checked against the leased provider's input schema.
    public var checksInput: Bool
    let invoker: Invoker

    init(site: CallSite, invoker: Invoker, timeout: Duration?, idempotencyKey: String?, checksInput: Bool) {
        self.site = site
        self.invoker = invoker
        self.timeout = timeout
        self.idempotencyKey = idempotencyKey
        self.checksInput = checksInput
    }

    /// Runs the call with `payload` and returns what `respond` made of the
    /// plugin's response bytes (valid only inside `respond`) and the provider
    /// that produced them. `respond` runs on the call thread and must not block.
    ///
    /// Inlined into the edge that calls it, so the generic parts are specialised
    /// there; the call itself (`perform`) is not generic.
    @inlinable
    nonisolated(nonsending) public func run<Payload: CallPayload, Response: Sendable>(
        payload: Payload,
        respond: @escaping @Sendable (UnsafeRawBufferPointer, CapabilityID) -> Response
    ) async throws(InvocationError) -> Response {
        let delivered = DeliveredResponse<Response>()
        try await perform(reading: { body in payload.withPayloadBytes(body) },
                          respond: { bytes, provider in delivered.value = respond(bytes, provider) })
        // `perform` returns only after `respond` ran.
        return delivered.value!
    }

    /// The call, on byte views: `reading` lends the payload's bytes, `respond`
    /// receives the response's. Returns once `respond` ran, or throws.
    @usableFromInline
    nonisolated(nonsending) func perform(reading: @escaping @Sendable ((UnsafeRawBufferPointer) -> Void) -> Void,
                                         respond: @escaping @Sendable (UnsafeRawBufferPointer, CapabilityID) -> Void)
        async throws(InvocationError) {
        if let idempotencyKey, idempotencyKey.utf8.count > Invoker.maxIdempotencyKeyBytes {
            throw InvocationError(code: .invalidArgument,
                message: "idempotency key is \(idempotencyKey.utf8.count) bytes; at most \(Invoker.maxIdempotencyKeyBytes) are allowed")
        }
        let invoker = self.invoker, site = self.site, checksInput = self.checksInput, key = idempotencyKey
        let settings = invoker.settings
        let allowed = timeout ?? settings.defaultTimeout
        let started = caphost_monotonic_ns()
        let deadline = started &+ UInt64(max(0, allowed.nanoseconds))
        let state = GuardedCallState(invoker: invoker, site: site, started: started, allowed: allowed)
        // The latch in `state` lets exactly one side resume: an unchecked continuation suffices.
        let failure: InvocationError? = await withUnsafeContinuation { waiter in
            state.waiter = waiter
            // Charge the call to the instance it is about to reach (the winner may change
            // before the pool thread leases; the charge stays with the one counted here).
            let charged = invoker.intendedCandidate(site)?.instance
            if let charged, !charged.reserveCallThread(limit: settings.maxCallsPerPlugin) {
                if charged.firstRefusalOfExhaustion() { invoker.callThreadsExhausted(charged, settings.maxCallsPerPlugin) }
                state.finish(InvocationError(code: .overloaded,
                    message: "\(charged.image.descriptor.name) holds \(settings.maxCallsPerPlugin) host call threads already (invocation.max_calls_per_plugin; calls that overran their deadline keep theirs until the plugin returns); try again later"))
                return
            }
            let watch = DeadlineWatchdog.shared.schedule(deadline: deadline, state)
            let accepted = invoker.pool.submit({
                var keyText = key ?? ""
                let outcome: InvocationError? = keyText.withUTF8 { keyBytes in
                    var outcome: InvocationError?
                    reading { bytes in
                        let keyArgument = cap_str(ptr: keyBytes.isEmpty ? nil : UnsafeRawPointer(keyBytes.baseAddress!).assumingMemoryBound(to: CChar.self),
                                                  len: keyBytes.count)
                        do throws(InvocationError) {
                            try invoker.invoke(site, payload: bytes, deadlineNanoseconds: deadline, depth: 0, guarded: state,
                                               idempotencyKey: keyArgument, checksInput: checksInput) { body, candidate in
                                respond(body, candidate.id)
                            }
                        } catch {
                            outcome = error
                        }
                    }
                    return outcome
                }
                DeadlineWatchdog.shared.cancel(watch)
                // Given back before the caller resumes, so its next call finds the thread free.
                charged?.releaseCallThread()
                // The job ends here: a waiter that prefers the pool resumes on this thread.
                caphost_set_thread_finishing(1)
                // invoke() claimed the latch when the plugin returned; an error before
                // the plugin ran (no provider, unknown method, a refused payload) claims it here.
                state.finish(outcome)
            }, kind: .call)
            guard accepted else {
                charged?.releaseCallThread()
                DeadlineWatchdog.shared.cancel(watch)
                state.finish(InvocationError(code: .overloaded,
                    message: "\(settings.maxCallThreads) plugin calls are running or queued already (invocation.max_call_threads; hung calls keep their place); try again later"))
                return
            }
        }
        if let failure { throw failure }
    }
}

/// Where `GuardedCall.run` keeps the value `respond` made on the call thread
/// until the waiter resumes (the resumption orders the write before the read).
@usableFromInline
final class DeliveredResponse<Value>: @unchecked Sendable {
    @usableFromInline var value: Value?

    @usableFromInline init() {}
}

extension GuardedCall {
    /// Runs the call and copies the response into an `InvocationResponse`.
    public func response(payload: some CallPayload) async throws(InvocationError) -> InvocationResponse {
        let started = caphost_monotonic_ns()
        let method = site.method
        return try await run(payload: payload) { body, provider in
            InvocationResponse(provider: provider, method: method, body: Array(body),
                               latency: .nanoseconds(Int64(caphost_monotonic_ns() &- started)))
        }
    }
}

/// Bytes a guarded call hands the plugin, read in place: a byte array, or an
/// edge's own buffer (the HTTP server passes its request buffer uncopied).
public protocol CallPayload: Sendable {
    /// Calls `body` with the payload's bytes, valid only inside it.
    func withPayloadBytes<R>(_ body: (UnsafeRawBufferPointer) -> R) -> R
}

extension Array: CallPayload where Element == UInt8 {
    public func withPayloadBytes<R>(_ body: (UnsafeRawBufferPointer) -> R) -> R {
        withUnsafeBytes(body)
    }
}
