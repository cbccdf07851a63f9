import CapPluginABI

/// The host side of a `cap_call *`: what one call in progress may report back.
/// Lives on the calling thread's stack for the duration of the call.
struct CallRecord {
    /// Set by `set_error`.
    var errorStatus: Int32 = 0
    var errorMessage: String?
    /// Nesting depth of host->call (0 for a call from outside).
    let depth: Int
    /// CLOCK_MONOTONIC deadline in ns, 0 = none.
    let deadlineNanoseconds: UInt64
    /// What `call_idempotency_key` answers: bytes borrowed from the caller for
    /// the duration of the call; empty when the call has no key.
    var idempotencyKey = cap_str(ptr: nil, len: 0)
}
