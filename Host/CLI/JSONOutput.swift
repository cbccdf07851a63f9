import Foundation

/// `--json` output: the host's answer re-encoded as pretty, key-sorted JSON (the
/// same types and key names the HTTP API uses).
enum JSONOutput {
    static func print<Value: Encodable>(_ value: Value) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        Terminal.emit(String(decoding: try encoder.encode(value), as: UTF8.self))
    }

    /// One compact line (for streams: one event per line).
    static func line<Value: Encodable>(_ value: Value) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        Terminal.emit(String(decoding: try encoder.encode(value), as: UTF8.self))
    }
}
