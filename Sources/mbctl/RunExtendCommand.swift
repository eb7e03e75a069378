import ArgumentParser
import Shared

/// `mbctl run extend RUN`: raises the caps of a run paused at a budget, so it goes on.
struct RunExtendCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "extend",
        abstract: "Raise the caps of a run paused at a cap (awaiting_budget); it continues where it stopped.",
        discussion: "Name at least one cap; the one the run waits for must be raised (mbctl run get shows which). With --wait: exit as run start --wait does."
    )

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The run's id.")
    var runID: String

    @OptionGroup var caps: CapOptions

    @Flag(help: "Wait until the run ends or waits for a person again.")
    var wait = false

    func validate() throws {
        guard !caps.isEmpty else {
            throw ValidationError("name a cap to raise: --max-iterations, --token-budget, --timeout or --cost-budget")
        }
    }

    func run() async throws {
        let context = try global.context()
        var answer = try await context.client.call(.extendRun, [runID], body: .object(caps.fields))
        let console = context.console
        guard wait else {
            if console.json { return console.raw(answer) }
            let run = answer.json
            console.line("Extended run \(console.styled(runID, .bold)) (\(console.state(run["status"].text))): at most \(run.at("caps", "max_iterations").text) evaluations, \(RunView.grouped(run.at("caps", "token_budget")?.integer ?? 0)) tokens, \(run.at("caps", "timeout_s").text) s")
            return console.note("follow: mbctl run watch \(runID)")
        }
        _ = try await RunFollower(client: context.client, console: console, printsEvents: false).follow(runID, stopEvents: RunView.settlingEvents, until: RunView.isSettled)
        answer = try await context.client.call(.getRun, [runID])
        if console.json { console.raw(answer) } else { RunView(run: answer.json, console: console).print() }
        try RunView.exit(with: answer.json)
    }
}
