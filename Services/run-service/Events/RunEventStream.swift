import Foundation
import Hummingbird
import Shared

/// `GET /runs/{id}/events` as Server-Sent Events: every stored event of the run after
/// `Last-Event-ID`, in order, each with its sequence number as its `id`; then the new ones as
/// they are published; a comment line as heartbeat while nothing happens; the stream ends after
/// the run's terminal event. Events are read from `run_events`, so a resumed stream has no gaps
/// and no duplicates; the hub only says when to read again.
struct RunEventStream: Sendable {
    let repository: RunRepository
    let hub: RunEventHub
    /// How long a stream stays silent before it sends a heartbeat (and reads again anyway).
    let heartbeat: Duration

    /// Events read per round trip.
    static let pageSize = 100
    /// What clients are told to wait before reconnecting.
    static let retryMilliseconds = 2000

    /// The stream of `run`'s events after `sequence`; NOT_FOUND when the run is not the tenant's.
    func response(run: UUID, tenant: UUID, after sequence: Int) async throws -> Response {
        let listener = try hub.listen(run, tenant: tenant)
        let first: RunRepository.EventPage
        do {
            first = try await repository.events(of: run, tenant: tenant, after: sequence, limit: Self.pageSize)
        } catch {
            hub.remove(listener, of: run)
            throw error
        }
        guard first.status != nil else {
            hub.remove(listener, of: run)
            throw WireError.notFound("run", id: run.lowercaseText)
        }
        let body = ResponseBody { [repository, hub, heartbeat] writer in
            defer { hub.remove(listener, of: run) }
            try await writer.write(ByteBuffer(string: "retry: \(Self.retryMilliseconds)\n\n"))
            var page = first
            var last = sequence
            while true {
                var buffer = ByteBuffer()
                for event in page.events {
                    buffer.writeString("id: \(event.sequence)\nevent: \(event.type)\ndata: \(event.json)\n\n")
                    last = event.sequence
                }
                if buffer.readableBytes > 0 { try await writer.write(buffer) }
                let ended = page.events.contains { RunEvents.Kind(rawValue: $0.type)?.isTerminal == true }
                    || (page.events.isEmpty && page.status?.isTerminal == true)
                if ended { break }
                if page.events.count < Self.pageSize {
                    let wakeup = await listener.next(timeout: heartbeat)
                    if wakeup == .closed { break }
                    if wakeup == .timeout { try await writer.write(ByteBuffer(string: ": heartbeat\n\n")) }
                }
                page = try await repository.events(of: run, tenant: tenant, after: last, limit: Self.pageSize)
            }
            try await writer.finish(nil)
        }
        return Response(
            status: .ok,
            headers: [.contentType: "text/event-stream; charset=utf-8", .cacheControl: "no-cache", .init("X-Accel-Buffering")!: "no"],
            body: body
        )
    }

    /// The `Last-Event-ID` of a reconnecting client: the sequence it saw last (0: none);
    /// INVALID_ARGUMENT naming the header when it is not a sequence number.
    static func lastEventID(_ raw: String?) throws -> Int {
        guard let raw, !raw.isEmpty else { return 0 }
        guard let sequence = Int(raw.trimmingCharacters(in: .whitespaces)), sequence >= 0 else {
            throw WireError.invalidArgument(field: "Last-Event-ID", "must be the id of an event of this stream (a sequence number)")
        }
        return sequence
    }
}
