/// One Server-Sent Events frame (`id:`, `event:`, `data:` lines and a blank
/// line), or a comment. MCP sends every JSON-RPC message as `event: message`.
struct ServerSentEventFrame: Sendable {
    var id: String?
    var event = "message"
    var data: [UInt8]

    /// The frame's bytes. JSON from `JSONValue.serialized()` holds no newline,
    /// but any that appear become separate `data:` lines, as SSE requires.
    var encoded: [UInt8] {
        var frame: [UInt8] = []
        if let id { frame += Array("id: \(id)\n".utf8) }
        frame += Array("event: \(event)\n".utf8)
        for line in data.split(separator: 0x0A, omittingEmptySubsequences: false) {
            frame += Array("data: ".utf8)
            frame += line.last == 0x0D ? Array(line.dropLast()) : Array(line)
            frame.append(0x0A)
        }
        frame.append(0x0A)
        return frame
    }

    /// A comment line, ignored by clients (keeps idle connections open).
    static func comment(_ text: String) -> [UInt8] { Array(": \(text)\n\n".utf8) }
}
