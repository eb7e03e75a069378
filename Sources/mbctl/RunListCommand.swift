import ArgumentParser
import Shared

/// `mbctl run list`: the tenant's runs, newest first.
struct RunListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List runs.")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var page: PageOptions

    @Option(help: "Only runs in this state.")
    var status: String?

    @Option(help: "Only runs of this spec.")
    var spec: String?

    @Option(help: "Only runs created at or after this time (RFC 3339).")
    var createdAfter: String?

    @Option(help: "Only runs created before this time (RFC 3339).")
    var createdBefore: String?

    func run() async throws {
        let context = try global.context()
        let answer = try await context.client.call(
            .listRuns,
            query: page.query + [("status", status), ("spec_id", spec), ("created_after", createdAfter), ("created_before", createdBefore)]
        )
        let console = context.console
        if console.json { return console.raw(answer) }
        let rows = (answer.json["runs"]?.items ?? []).map { run in
            [
                run["id"].text, run["spec_id"].text, run["status"].text, "\(run["iteration"].text)/\(run.at("caps", "max_iterations").text)",
                RunView.grouped(run.at("spent", "tokens")?.integer ?? 0), run.at("risk", "score").text, run["created_at"].text,
            ]
        }
        console.table(["ID", "SPEC", "STATUS", "ITER", "TOKENS", "RISK", "CREATED"], rows) { column, cell in column == 2 ? console.state(cell) : nil }
        page.hint(answer, console)
    }
}
