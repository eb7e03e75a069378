/// One Server-Sent Event: its `id`, `event` type and `data` (lines joined with `\n`).
struct ServerSentEvent: Sendable, Equatable {
    /// The event's id (`Last-Event-ID` resumes after it).
    var id: String?
    /// The event type (`message` when the stream names none).
    var type: String
    /// The data lines, joined.
    var data: String
}
