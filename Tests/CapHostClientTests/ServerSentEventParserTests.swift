import CapHostClient
import Testing

/// The client's `text/event-stream` parser against the HTML standard's rules,
/// fed in every possible chunking.
@Suite struct ServerSentEventParserTests {
    /// Parses `text` fed in chunks of `size` bytes (and once whole).
    func events(_ text: String, chunk size: Int? = nil) -> [ServerSentEvent] {
        var parser = ServerSentEventParser()
        let bytes = Array(text.utf8)
        guard let size else { return parser.feed(bytes) }
        var events: [ServerSentEvent] = []
        var index = 0
        while index < bytes.count {
            events += parser.feed(bytes[index..<min(bytes.count, index + size)])
            index += size
        }
        return events
    }

    @Test func theHostsFramesParseInAnyChunking() {
        let stream = "id: 7\nevent: swap_completed\ndata: {\"sequence\":7}\n\n: keep-alive\n\nid: 8\nevent: pinned\ndata: {\"sequence\":8}\n\n"
        let expected = [ServerSentEvent(id: "7", event: "swap_completed", data: #"{"sequence":7}"#),
                        ServerSentEvent(id: "8", event: "pinned", data: #"{"sequence":8}"#)]
        #expect(events(stream) == expected)
        for size in 1...9 { #expect(events(stream, chunk: size) == expected, "chunk size \(size)") }
    }

    @Test func lineEndingsMayBeCRLFOrCRAlsoSplitAcrossChunks() {
        let expected = [ServerSentEvent(id: "1", event: "message", data: "a"), ServerSentEvent(id: "2", event: "message", data: "b")]
        #expect(events("id: 1\r\ndata: a\r\n\r\nid: 2\rdata: b\r\r") == expected)
        for size in 1...4 { #expect(events("id: 1\r\ndata: a\r\n\r\nid: 2\r\ndata: b\r\n\r\n", chunk: size) == expected, "chunk size \(size)") }
    }

    @Test func dataLinesJoinWithNewlinesAndOneLeadingSpaceIsDropped() {
        #expect(events("data: first\ndata:second\ndata:  third\ndata\n\n")
            == [ServerSentEvent(id: "", event: "message", data: "first\nsecond\n third\n")])
    }

    @Test func commentsRetryAndUnknownFieldsDispatchNothing() {
        var parser = ServerSentEventParser()
        #expect(parser.feed(Array(": keep-alive\n\nretry: 2500\nfoo: bar\n\nretry: soon\n\n".utf8)).isEmpty)
        #expect(parser.comments == 1)
        #expect(parser.reconnectionTime == 2500)
    }

    @Test func theLastEventIDIsStickyAndAnIDWithNULIsIgnored() {
        var parser = ServerSentEventParser()
        let events = parser.feed(Array("id: 41\ndata: a\n\ndata: b\n\nid: 4\u{0}2\ndata: c\n\nid\ndata: d\n\n".utf8))
        #expect(events.map(\.id) == ["41", "41", "41", ""])
        #expect(parser.lastEventID == "")
    }

    @Test func aLeadingBOMIsSkippedAndAnUnfinishedEventIsNotDispatched() {
        #expect(events("\u{FEFF}data: x\n\ndata: unfinished\n") == [ServerSentEvent(id: "", event: "message", data: "x")])
        #expect(events("\u{FEFF}data: x\n\n", chunk: 1) == [ServerSentEvent(id: "", event: "message", data: "x")])
        // A BOM later in the stream is data, not skipped.
        #expect(events("data: \u{FEFF}y\n\n") == [ServerSentEvent(id: "", event: "message", data: "\u{FEFF}y")])
    }

    @Test func anEventTypeWithoutDataIsDroppedAndDoesNotLeakIntoTheNext() {
        #expect(events("event: ping\n\ndata: z\n\n") == [ServerSentEvent(id: "", event: "message", data: "z")])
    }
}
