import ArgumentParser
import Shared

/// `mbctl run watch RUN`: the run live until it ends or pauses at a cap; exits with its outcome.
struct RunWatchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "watch",
        abstract: "Follow a run live (state, iteration, steps, tokens, time) until it ends or pauses at a cap; exit with its outcome.",
        discussion: "Resumes after a dropped connection or a restart of the run-service (Last-Event-ID). Exit 0 succeeded, 2 failed, 3 rejected, 4 cancelled, 6 paused at a cap (awaiting_budget: mbctl run extend)."
    )

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The run's id.")
    var runID: String

    @Option(help: "Seconds the run-service may stay unreachable before giving up.")
    var patience: Int = 120

    func run() async throws {
        let context = try global.context()
        let follower = RunFollower(client: context.client, console: context.console, printsEvents: !context.console.json, patience: .seconds(patience))
        var ended = try await follower.follow(runID, stopEvents: RunView.terminalEvents.union(["run.awaiting_budget"])) {
            RunView.terminal.contains($0["status"].text) || $0["status"]?.stringValue == "awaiting_budget"
        }
        if ended["status"]?.stringValue == "rejected" { ended = try await rollback(of: ended, context.client) }
        if context.console.json {
            context.console.raw(try await context.client.call(.getRun, [runID]))
        } else {
            context.console.line()
            RunView(run: ended, console: context.console).print()
        }
        try RunView.exit(with: ended)
    }

    /// A rejected run once its rollback is recorded (it runs right after the rejection), or as
    /// it stands after 15 s.
    private func rollback(of run: JSONValue, _ client: APIClient) async throws -> JSONValue {
        var run = run
        for _ in 0..<60 where run["rollback"] == nil || run["rollback"] == .null {
            try await Task.sleep(for: .milliseconds(250))
            run = try await client.call(.getRun, [runID]).json
        }
        return run
    }
}
