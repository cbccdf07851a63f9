/// Parses a `text/event-stream` incrementally, following the HTML standard's
/// rules: lines end with LF, CR or CRLF (also split across chunks); `:` starts a
/// comment (keep-alives); `data` lines accumulate; an empty line dispatches; an
/// `id` containing NUL is ignored; `retry` takes only digits; a leading BOM is
/// skipped; an event without data is not dispatched; an unfinished event at the
/// end of the stream is dropped.
public struct ServerSentEventParser: Sendable {
    private var line: [UInt8] = []
    private var data: [UInt8] = []
    private var hasData = false
    private var eventType = ""
    private var lastCharacterWasCR = false
    private var atStreamStart = true
    /// The last event id set by the stream (sticky across events).
    public private(set) var lastEventID = ""
    /// The reconnection time the stream asked for (`retry:`), in milliseconds.
    public private(set) var reconnectionTime: Int?
    /// Comment lines seen (the host's `: keep-alive` lines).
    public private(set) var comments = 0

    /// A parser at the start of a stream.
    public init() {}

    /// Feeds the next chunk and returns the events it completed.
    public mutating func feed<Bytes: Sequence<UInt8>>(_ bytes: Bytes) -> [ServerSentEvent] {
        var events: [ServerSentEvent] = []
        for byte in bytes {
            if atStreamStart {
                // The UTF-8 BOM (EF BB BF) may precede the first line.
                let bom: [UInt8] = [0xEF, 0xBB, 0xBF]
                if line.count < 3 && byte == bom[line.count] {
                    line.append(byte)
                    if line.count == 3 { line.removeAll(); atStreamStart = false }
                    continue
                }
                atStreamStart = false
            }
            switch byte {
            case UInt8(ascii: "\n"):
                if lastCharacterWasCR { lastCharacterWasCR = false; continue }
                if let event = endLine() { events.append(event) }
            case UInt8(ascii: "\r"):
                lastCharacterWasCR = true
                if let event = endLine() { events.append(event) }
            default:
                lastCharacterWasCR = false
                line.append(byte)
            }
        }
        return events
    }

    private mutating func endLine() -> ServerSentEvent? {
        defer { line.removeAll(keepingCapacity: true) }
        if line.isEmpty { return dispatch() }
        if line.first == UInt8(ascii: ":") {
            comments += 1
            return nil
        }
        let field: ArraySlice<UInt8>
        var value: ArraySlice<UInt8>
        if let colon = line.firstIndex(of: UInt8(ascii: ":")) {
            field = line[..<colon]
            value = line[(colon + 1)...]
            if value.first == UInt8(ascii: " ") { value = value.dropFirst() }
        } else {
            field = line[...]
            value = []
        }
        switch String(decoding: field, as: UTF8.self) {
        case "event":
            eventType = String(decoding: value, as: UTF8.self)
        case "data":
            if hasData { data.append(UInt8(ascii: "\n")) }
            data.append(contentsOf: value)
            hasData = true
        case "id":
            if !value.contains(0) { lastEventID = String(decoding: value, as: UTF8.self) }
        case "retry":
            if !value.isEmpty, value.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) {
                reconnectionTime = Int(String(decoding: value, as: UTF8.self))
            }
        default:
            break
        }
        return nil
    }

    private mutating func dispatch() -> ServerSentEvent? {
        defer {
            data.removeAll(keepingCapacity: true)
            hasData = false
            eventType = ""
        }
        guard hasData else { return nil }
        return ServerSentEvent(id: lastEventID, event: eventType.isEmpty ? "message" : eventType,
                               data: String(decoding: data, as: UTF8.self))
    }
}
