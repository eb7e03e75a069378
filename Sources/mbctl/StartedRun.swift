import Shared

/// The end of a command that starts a run from another (`run regenerate`, `run replay`): without
/// `--wait`, the started run in a line; with it, the run followed until it ends or waits for a
/// person, its summary, and the command's exit with its outcome. `--json` prints the answer.
enum StartedRun {
    /// Finishes with `answer` (the start's); `started` is the line for the run's id and status.
    static func finish(_ answer: APIClient.Answer, wait: Bool, context: CommandContext, started: (_ id: String, _ status: String) -> String) async throws {
        var answer = answer
        let console = context.console
        let id = answer.json["id"].text
        if wait, !RunView.isSettled(answer.json) {
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
        if wait { try RunView.exit(with: answer.json) }
    }
}
