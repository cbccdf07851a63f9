/// Limits and policies applied to every call.
public struct InvocationSettings: Sendable {
    /// Responses larger than this are released and refused (`response_too_large`).
    public var maxResponseBytes = 16 << 20
    /// Consecutive failures that open a provider's breaker.
    public var breakerThreshold = 5
    /// Deadline applied to calls that name none (async path).
    public var defaultTimeout: Duration = .seconds(30)
    /// How deep plugins may nest host->call.
    public var maxCallDepth = 8
    /// One call in `latencySampleInterval` is timed when no deadline is set (a power of two).
    public var latencySampleInterval = 16
    /// Plugin calls queued or running at once, hung ones included (each keeps its thread).
    public var maxCallThreads = 256
    /// Host call threads one plugin instance may hold at once, abandoned
    /// (timed-out, still running) calls included: a plugin that hangs exhausts
    /// its own share (a quarter of the pool by default), never the pool every
    /// other plugin needs. Calls beyond it are refused as `overloaded`.
    public var maxCallsPerPlugin = 64
    /// Call threads started to answer admin API requests (the HTTP event loops
    /// hold a thread per core already); nil: half the cores, at least one.
    /// Calls from elsewhere still start threads up to the cores.
    public var taskThreads: Int?

    public init() {}
}
