import Testing
@testable import Answer

@Suite struct ServerSentEventsTests {
    /// Named events, multi-line data, comments, CRLF, lone CR, an empty data line, a BOM, an id,
    /// a field without a colon, and a multi-byte character: everything the parser must get right.
    static let stream = Array("\u{FEFF}: keep-alive\r\n"
        .utf8) + Array("event: message_start\r\ndata: {\"a\":1}\r\n\r\n".utf8)
        + Array("data: line one\ndata:line two\nid: 7\n\n".utf8)
        + Array("data: Grüße – 👋\rdata\r\r".utf8)
        + Array("retry: 10\nevent: ping\n\n".utf8)  // no data: not dispatched
        + Array("data: \n\n".utf8)
        + Array("data: unterminated".utf8)

    static let expected = [
        ServerSentEvent(event: "message_start", data: #"{"a":1}"#),
        ServerSentEvent(data: "line one\nline two", id: "7"),
        ServerSentEvent(data: "Grüße – 👋\n", id: "7"),
        ServerSentEvent(data: "", id: "7"),
    ]

    @Test func parsesTheWholeStreamAtOnce() {
        var parser = ServerSentEventParser()
        #expect(parser.feed(Self.stream) == Self.expected)
    }

    @Test func everySplitPositionGivesTheSameEvents() {
        for split in 0...Self.stream.count {
            var parser = ServerSentEventParser()
            let events = parser.feed(Self.stream[..<split]) + parser.feed(Self.stream[split...])
            #expect(events == Self.expected, "split at \(split)")
        }
    }

    @Test func byteAtATimeGivesTheSameEvents() {
        var parser = ServerSentEventParser()
        var events: [ServerSentEvent] = []
        for byte in Self.stream { events += parser.feed([byte]) }
        #expect(events == Self.expected)
    }

    @Test func crlfSplitAcrossChunksIsOneLineEnd() {
        var parser = ServerSentEventParser()
        #expect(parser.feed(Array("data: a\r".utf8)).isEmpty)
        // The LF completes the CRLF rather than ending a second, blank line.
        #expect(parser.feed(Array("\n".utf8)).isEmpty)
        #expect(parser.feed(Array("\r".utf8)) == [ServerSentEvent(data: "a")])
        #expect(parser.feed(Array("\ndata: b\n\n".utf8)) == [ServerSentEvent(data: "b")])
    }

    @Test func overlongLinesAreCutNotBuffered() {
        var parser = ServerSentEventParser(maxLineBytes: 8)
        #expect(parser.feed(Array("data: 0123456789\n\n".utf8)) == [ServerSentEvent(data: "01")])
    }
}
