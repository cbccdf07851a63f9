import Logging

/// swift-log's `StreamLogHandler` on stderr, with the logger's metadata kept
/// here and formatted only when a message is written. Hummingbird gives every
/// request's logger a request id; `StreamLogHandler` formats its metadata on
/// every change, which cost about 2 % of an invoke's CPU when nothing is logged.
/// The handler is three words (metadata, level, a shared writer), so copying a
/// logger to change its metadata allocates no box for the handler.
struct StandardErrorLogHandler: LogHandler {
    private let writer: Writer
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level

    /// The stream handler that formats and writes, shared by every copy.
    private final class Writer: Sendable {
        let stream: StreamLogHandler

        init(label: String) {
            var stream = StreamLogHandler.standardError(label: label)
            // The level is checked by `Logger` against the outer handler's.
            stream.logLevel = .trace
            self.stream = stream
        }
    }

    init(label: String, level: Logger.Level) {
        writer = Writer(label: label)
        logLevel = level
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var event = event
        event.metadata = event.metadata.map { metadata.merging($0) { _, own in own } } ?? (metadata.isEmpty ? nil : metadata)
        writer.stream.log(event: event)
    }
}
