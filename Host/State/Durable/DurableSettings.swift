/// How durable deliveries are attempted.
public struct DurableSettings: Sendable {
    /// Attempts that may run at once.
    public var workers = 4
    /// Attempts per delivery before it is dead-lettered (at least 1).
    public var maxAttempts = 8
    /// Back-off before the first retry on a provider that already failed;
    /// doubles per attempt up to `maxBackoff`, each with up to 50 % jitter
    /// taken off. Failing over to an untried provider does not wait.
    public var initialBackoff: Duration = .milliseconds(200)
    public var maxBackoff: Duration = .seconds(60)
    /// Deadline of one attempt (the plugin sees it; an overrun is a TIMEOUT).
    public var attemptTimeout: Duration = .seconds(30)
    /// How long `stop()` waits for attempts in flight; those still running
    /// stay `inFlight` in the journal and are replayed at the next start.
    public var stopTimeout: Duration = .seconds(5)
    /// Largest payload `submit` journals.
    public var maxPayloadBytes = 16 << 20
    /// Delivered and dead rows older than this are deleted (their keys may
    /// then be used again).
    public var retainFinished: Duration = .seconds(7 * 86_400)

    public init() {}
}
