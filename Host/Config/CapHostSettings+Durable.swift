extension CapHostSettings {
    /// Durable invocations (`durable:`): journaled before acknowledging, then
    /// delivered with bounded retries, exponential back-off and fail-over.
    public struct Durable: Sendable, Hashable {
        /// Delivery attempts before a call is dead-lettered (`max_attempts`, default 8).
        public var maxAttempts = 8
        /// Wait before the first retry (`initial_backoff`, default 200ms); doubles per attempt.
        public var initialBackoff: Duration = .milliseconds(200)
        /// Longest wait between retries (`max_backoff`, default 60s).
        public var maxBackoff: Duration = .seconds(60)
        /// Deadline of one delivery attempt (`call_timeout`, default 30s).
        public var callTimeout: Duration = .seconds(30)
        /// Attempts running at once (`workers`, default 4).
        public var workers = 4
        /// How long shutdown waits for attempts in flight (`stop_timeout`, default 5s);
        /// the rest are replayed at the next start.
        public var stopTimeout: Duration = .seconds(5)
        /// Largest payload journaled (`max_payload_bytes`, default 16MiB).
        public var maxPayloadBytes = 16 << 20
        /// Delivered and dead records older than this are deleted (`retain_finished`, default 7d).
        public var retainFinished: Duration = .seconds(7 * 86_400)

        /// Defaults.
        public init() {}
    }
}
