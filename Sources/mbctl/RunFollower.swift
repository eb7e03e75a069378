import Foundation
import Shared

/// Follows a run live through `GET /runs/{id}/events` until a condition holds for it: every
/// event re-reads the run (`GET /runs/{id}`) for its state, steps and what it spent. A dropped
/// stream, or a run-service that restarts, is resumed with `Last-Event-ID`, so no event is
/// missed or shown twice; only `patience` without reaching the service gives up.
struct RunFollower {
    /// The API.
    let client: APIClient
    /// Where progress goes.
    let console: Console
    /// Whether each event is printed with the run's progress (`run watch`), or nothing is.
    let printsEvents: Bool
    /// How long the service may stay unreachable before the follower gives up.
    var patience: Duration = .seconds(120)

    /// Follows run `id` until `settled` holds for it; the run as it was then.
    func follow(_ id: String, until settled: (JSONValue) -> Bool) async throws -> JSONValue {
        var run = try await client.call(.getRun, [id]).json
        if printsEvents {
            console.line("Watching run \(console.styled(id, .bold)) (spec \(run["spec_id"].text))")
            console.line("       \(RunView(run: run, console: console).progressLine())")
        }
        if settled(run) { return run }
        var lastEventID: String?
        var unreachableSince: ContinuousClock.Instant?
        var backoff = Duration.milliseconds(250)
        while true {
            do {
                for try await event in client.events(.runEvents, [id], lastEventID: lastEventID) {
                    unreachableSince = nil
                    backoff = .milliseconds(250)
                    if let eventID = event.id { lastEventID = eventID }
                    run = try await client.call(.getRun, [id]).json
                    if printsEvents { show(event, run) }
                    if settled(run) { return run }
                }
                // The stream ended (the server's deadline, or its shutdown) before the run settled.
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

    /// `#7  generating  iter 1/4 […]  …  codegen_engineer completed (1,200 tokens)`.
    private func show(_ event: ServerSentEvent, _ run: JSONValue) {
        let envelope = (try? JSONDecoder().decode(JSONValue.self, from: Data(event.data.utf8))) ?? .null
        let data = envelope["data"] ?? .null
        let what: String = switch event.type {
        case "run.step.started": "\(data["role"].text) started"
        case "run.step.completed": "\(data["role"].text) completed" + (data["tokens"]?.integer.map { " (\(RunView.grouped($0)) tokens)" } ?? "")
        default: event.type
        }
        let number = "#" + (event.id ?? "?")
        console.line(console.styled(number.padding(toLength: 6, withPad: " ", startingAt: 0), .dim) + " " + RunView(run: run, console: console).progressLine() + "  " + console.styled(what, .bold))
    }
}
