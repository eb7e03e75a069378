import Foundation
import Shared

/// Follows a run live through `GET /runs/{id}/events` from its first event: each event updates
/// a `RunProgress` (printed by `run watch`), and the events that may settle the run have the run
/// re-read (`GET /runs/{id}`) to see whether it did. A dropped stream, or a run-service that
/// restarts, is resumed with `Last-Event-ID`, so no event is missed or shown twice; only
/// `patience` without reaching the service gives up.
struct RunFollower {
    /// The API.
    let client: APIClient
    /// Where progress goes.
    let console: Console
    /// Whether each event is printed with the run's progress (`run watch`), or nothing is.
    let printsEvents: Bool
    /// How long the service may stay unreachable before the follower gives up.
    var patience: Duration = .seconds(120)

    /// Follows run `id` until `settled` holds for it, checked when an event of `stopEvents`
    /// arrives or the stream ends; the run as it was then. Without `printsEvents`, a run that
    /// has settled already is returned at once.
    func follow(_ id: String, stopEvents: Set<String>, until settled: (JSONValue) -> Bool) async throws -> JSONValue {
        var run = try await client.call(.getRun, [id]).json
        if printsEvents {
            console.line("Watching run \(console.styled(id, .bold)) (spec \(run["spec_id"].text)), now \(console.state(run["status"].text))")
        } else if settled(run) {
            return run
        }
        var progress = RunProgress(caps: run)
        var lastEventID: String?
        var unreachableSince: ContinuousClock.Instant?
        var backoff = Duration.milliseconds(250)
        while true {
            do {
                for try await event in client.events(.runEvents, [id], lastEventID: lastEventID) {
                    unreachableSince = nil
                    backoff = .milliseconds(250)
                    if let eventID = event.id { lastEventID = eventID }
                    let what = progress.apply(event)
                    if printsEvents {
                        let number = "#" + (event.id ?? "?")
                        console.line(console.styled(number.padding(toLength: 6, withPad: " ", startingAt: 0), .dim) + " " + progress.line(console) + "  " + console.styled(what, .bold))
                    }
                    if stopEvents.contains(event.type) {
                        run = try await client.call(.getRun, [id]).json
                        if settled(run) { return run }
                    }
                }
                // The stream ended (after the terminal event, the server's deadline, or its shutdown).
                run = try await client.call(.getRun, [id]).json
                if settled(run) { return run }
            } catch let failure as CLIFailure where failure.status == .unreachable {
                let since = unreachableSince ?? .now
                unreachableSince = since
                if ContinuousClock.now - since > patience {
                    throw CLIFailure(.unreachable, "gave up following run \(id) after \(patience) without reaching the run-service: \(failure.message)")
                }
                if printsEvents {
                    console.note(console.styled("connection lost (\(failure.wireError?.message ?? failure.message)); resuming" + (lastEventID.map { " after event \($0)" } ?? ""), .yellow))
                }
            }
            try await Task.sleep(for: backoff)
            backoff = min(backoff * 2, .seconds(2))
        }
    }
}
