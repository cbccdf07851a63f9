/// A message the server sends on its own (a notification such as
/// `notifications/tools/list_changed`), numbered per session so an SSE stream
/// can carry it as the event id and a reconnecting client can resume after it
/// (`Last-Event-ID`).
public struct MCPOutboundMessage: Sendable, Hashable {
    /// Increasing within the session, from 1.
    public let sequence: UInt64
    /// The JSON-RPC message, UTF-8 JSON without a trailing newline.
    public let bytes: [UInt8]

    /// Message number `sequence` of its session.
    public init(sequence: UInt64, bytes: [UInt8]) {
        self.sequence = sequence
        self.bytes = bytes
    }
}
