import Shared

/// The end of a command that starts a run (`run start`, `run regenerate`, `run replay`): without
/// `--wait`, the started run in a line; with it, the run followed until it ends or waits for a
/// person (when the waiting answer came before), and its summary. `--json` prints the answer.
/// The command exits with the run's outcome (a queued run's is success).
enum StartedRun {
    /// Finishes with `answer` (the start's); `started` is the line for the run's id and status.
    static func finish(_ answer: APIClient.Answer, wait: Bool, context: CommandContext, started: (_ id: String, _ status: String) -> String) async throws {
        var answer = answer
        let console = context.console
        let id = answer.json["id"].text
        if wait, !RunView.isSettled(answer.json) {
            if !console.json { console.note("run \(id) is \(answer.json["status"].text); following it") }
            _ = try await RunFollower(client: context.client, console: console, printsEvents: false).follow(id, stopEvents: RunView.settlingEvents, until: RunView.isSettled)
            answer = try await context.client.call(.getRun, [id])
        }
        if console.json {
            console.raw(answer)
        } else if wait {
            RunView(run: answer.json, console: console).print()
        } else {
            console.line(started(console.styled(id, .bold), console.state(answer.json["status"].text)))
            console.note("follow: mbctl run watch \(id)")
        }
        try RunView.exit(with: answer.json)
    }
}
