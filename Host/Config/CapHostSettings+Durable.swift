extension CapHostSettings {
    /// Durable invocations (`durable:`): journaled before acknowledging, then
    /// delivered with bounded retries and exponential back-off.
    public struct Durable: Sendable, Hashable {
        /// Delivery attempts before a call is dead-lettered (`max_attempts`, default 8).
        public var maxAttempts = 8
        /// Wait before the first retry (`initial_backoff`, default 250ms); doubles per attempt.
        public var initialBackoff: Duration = .milliseconds(250)
        /// Longest wait between retries (`max_backoff`, default 30s).
        public var maxBackoff: Duration = .seconds(30)
        /// Deadline of one delivery attempt (`call_timeout`, default 30s).
        public var callTimeout: Duration = .seconds(30)
        /// Deliveries running at once (`workers`, default 2).
        public var workers = 2

        /// Defaults.
        public init() {}
    }
}
