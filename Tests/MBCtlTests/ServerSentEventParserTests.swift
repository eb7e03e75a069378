import Foundation
import Testing

@testable import MBCtl

/// The event-stream parser: fields, comments, split chunks and line endings.
@Suite struct ServerSentEventParserTests {
    @Test func eventsSplitAcrossChunksAndLineEndingsParseAsOne() {
        var parser = ServerSentEventParser()
        var events: [ServerSentEvent] = []
        for chunk in ["retry: 2000\n\n: heartbeat\n\nid: 1\r\nevent: run.st", "arted\r\ndata: {\"a\":1}\r\n\r", "\nid: 2\ndata: x\ndata: y\n\n"] {
            events += parser.feed(Data(chunk.utf8))
        }
        #expect(events == [
            ServerSentEvent(id: "1", type: "run.started", data: #"{"a":1}"#),
            ServerSentEvent(id: "2", type: "message", data: "x\ny"),
        ])
    }

    @Test func anEventWithoutItsBlankLineIsNotDispatched() {
        var parser = ServerSentEventParser()
        #expect(parser.feed(Data("id: 3\nevent: run.failed\ndata: {}\n".utf8)).isEmpty)
        #expect(parser.feed(Data("\n".utf8)).map(\.id) == ["3"])
    }
}
