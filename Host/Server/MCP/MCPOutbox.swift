/// A session's server-to-client messages: delivered to the one attached
/// consumer (stdout, or the HTTP GET stream), kept for a while so a consumer
/// that attaches later, or reconnects with `Last-Event-ID`, gets what it missed.
struct MCPOutbox {
    /// Messages kept for late or reconnecting consumers.
    static let retained = 64

    private(set) var recent: [MCPOutboundMessage] = []
    private var nextSequence: UInt64 = 1
    /// The newest sequence handed to a consumer.
    private var deliveredThrough: UInt64 = 0
    private var consumer: AsyncStream<MCPOutboundMessage>.Continuation?
    private var consumerGeneration: UInt64 = 0

    /// Queues `bytes`, and hands it to the consumer when one is attached.
    mutating func post(_ bytes: [UInt8]) {
        let message = MCPOutboundMessage(sequence: nextSequence, bytes: bytes)
        nextSequence += 1
        recent.append(message)
        if recent.count > Self.retained { recent.removeFirst(recent.count - Self.retained) }
        if let consumer {
            consumer.yield(message)
            deliveredThrough = message.sequence
        }
    }

    /// Attaches a new consumer (replacing the previous one, which the caller
    /// must finish outside any lock) and replays what it has not seen: messages
    /// after `after` when given, else those never delivered.
    mutating func attach(after: UInt64?, _ continuation: AsyncStream<MCPOutboundMessage>.Continuation)
        -> (generation: UInt64, replaced: AsyncStream<MCPOutboundMessage>.Continuation?) {
        let replaced = consumer
        consumerGeneration += 1
        consumer = continuation
        let start = after ?? deliveredThrough
        for message in recent where message.sequence > start {
            continuation.yield(message)
            deliveredThrough = max(deliveredThrough, message.sequence)
        }
        return (consumerGeneration, replaced)
    }

    /// Detaches the consumer of `generation` (when it is still the current one).
    mutating func detach(generation: UInt64) {
        if generation == consumerGeneration { consumer = nil }
    }

    /// Detaches and returns the consumer, for the caller to finish outside any lock.
    mutating func close() -> AsyncStream<MCPOutboundMessage>.Continuation? {
        defer { consumer = nil }
        return consumer
    }
}
