import Foundation

/// Turns the bytes of a `text/event-stream` into events, as the WHATWG algorithm does:
/// lines end at LF, CR or CRLF, a blank line dispatches, comments (`:`) and `retry` are skipped.
struct ServerSentEventParser: Sendable {
    private var buffer: [UInt8] = []
    private var pendingCR = false
    private var id: String?
    private var type: String?
    private var data: [String] = []

    /// Feeds bytes; the events they complete.
    mutating func feed(_ chunk: Data) -> [ServerSentEvent] {
        var events: [ServerSentEvent] = []
        for byte in chunk {
            if pendingCR {
                pendingCR = false
                if byte == UInt8(ascii: "\n") { continue }
            }
            switch byte {
            case UInt8(ascii: "\r"):
                pendingCR = true
                if let event = line() { events.append(event) }
            case UInt8(ascii: "\n"):
                if let event = line() { events.append(event) }
            default:
                buffer.append(byte)
            }
        }
        return events
    }

    /// Handles the buffered line; an event when it was blank and data was collected.
    private mutating func line() -> ServerSentEvent? {
        let text = String(decoding: buffer, as: UTF8.self)
        buffer.removeAll(keepingCapacity: true)
        if text.isEmpty {
            defer { (type, data) = (nil, []) }
            guard !data.isEmpty else { return nil }
            return ServerSentEvent(id: id, type: type ?? "message", data: data.joined(separator: "\n"))
        }
        if text.hasPrefix(":") { return nil }
        let (field, value): (Substring, Substring)
        if let colon = text.firstIndex(of: ":") {
            field = text[..<colon]
            let rest = text[text.index(after: colon)...]
            value = rest.hasPrefix(" ") ? rest.dropFirst() : rest
        } else {
            (field, value) = (text[...], "")
        }
        switch field {
        case "id": id = String(value)
        case "event": type = String(value)
        case "data": data.append(String(value))
        default: break
        }
        return nil
    }
}
