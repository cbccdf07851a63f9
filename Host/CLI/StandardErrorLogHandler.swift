import Logging

/// swift-log's `StreamLogHandler` on stderr, with the logger's metadata kept
/// here and formatted only when a message is written. Hummingbird gives every
/// request's logger a request id; `StreamLogHandler` formats its metadata on
/// every change, which cost about 2 % of an invoke's CPU when nothing is logged.
struct StandardErrorLogHandler: LogHandler {
    private var stream: StreamLogHandler
    var metadata: Logger.Metadata = [:]

    init(label: String, level: Logger.Level) {
        stream = StreamLogHandler.standardError(label: label)
        stream.logLevel = level
    }

    var logLevel: Logger.Level {
        get { stream.logLevel }
        set { stream.logLevel = newValue }
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(level: Logger.Level, message: Logger.Message, metadata explicit: Logger.Metadata?, source: String,
             file: String, function: String, line: UInt) {
        let merged = explicit.map { metadata.merging($0) { _, own in own } } ?? metadata
        stream.log(level: level, message: message, metadata: merged.isEmpty ? nil : merged, source: source,
                   file: file, function: function, line: line)
    }
}
