import ArgumentParser
import Shared

/// `mbctl run get RUN`: one run: state, caps and what was spent, evaluation, gate, artifacts.
struct RunGetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "get", abstract: "Show a run and its steps.")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The run's id.")
    var runID: String

    func run() async throws {
        let context = try global.context()
        let answer = try await context.client.call(.getRun, [runID])
        let console = context.console
        if console.json { return console.raw(answer) }
        let view = RunView(run: answer.json, console: console)
        console.fields(view.summary())
        let steps = answer.json["steps"]?.items ?? []
        if !steps.isEmpty {
            console.line()
            let rows = steps.map { step in
                [step["iteration"].text, step["role"].text, step["status"].text, step["duration_ms"].text, RunView.grouped(step["tokens"]?.integer ?? 0), step["cache_hit"]?.boolean == true ? "yes" : "no"]
            }
            console.table(["ITER", "ROLE", "STATUS", "MS", "TOKENS", "CACHED"], rows) { column, cell in column == 2 ? console.state(cell) : nil }
        }
        for line in view.nextSteps() { console.note(line) }
    }
}
