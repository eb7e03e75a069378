import Shared

/// A command that starts a run (`run start`, `run regenerate`, `run replay`): the start, then
/// without `--wait` the started run in a line; with it, the run followed until it ends or waits for a
/// person (when the waiting answer came before), and its summary. `--json` prints the answer.
/// The command exits with the run's outcome (a queued run's is success).
enum StartedRun {
    /// Starts the run (`operation` on `parameters` with `body`, `wait` added when waiting, the
    /// `Idempotency-Key` when given), then finishes as `finish` does. The server answers a
    /// waiting start shortly before the request's deadline (at most its maximum); the follower
    /// takes over when the run has not settled by then.
    static func start(
        _ operation: APIOperation, _ parameters: [String], body: [String: JSONValue], idempotencyKey: String?, wait: Bool,
        context: CommandContext, started: (_ answer: JSONValue, _ id: String, _ status: String) -> String
    ) async throws {
        var body = body
        if wait { body["wait"] = .bool(true) }
        let answer = try await context.client.call(
            operation, parameters, body: .object(body), headers: idempotencyKey.map { [("Idempotency-Key", $0)] } ?? [],
            timeout: wait ? .seconds(900) : .seconds(60)
        )
        try await finish(answer, wait: wait, context: context) { id, status in started(answer.json, id, status) }
    }

    /// Finishes with `answer` (the start's); `started` is the line for the run's id and status.
    private static func finish(_ answer: APIClient.Answer, wait: Bool, context: CommandContext, started: (_ id: String, _ status: String) -> String) async throws {
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
