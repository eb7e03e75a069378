import ArgumentParser
import Shared

/// `mbctl spec list`: the tenant's specs, newest first, one page at a time.
struct SpecListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List specs.")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var page: PageOptions

    @Option(help: "Only specs in this status (draft, planned).")
    var status: String?

    func run() async throws {
        let context = try global.context()
        let answer = try await context.client.call(.listSpecs, query: page.query + [("status", status)])
        let console = context.console
        if console.json { return console.raw(answer) }
        let rows = answer.json["specs"].map(\.items)?.map { spec in
            [spec["id"].text, spec["title"].text, spec["mode"].text, spec["status"].text, spec["latest_plan_version"].text, spec["created_at"].text]
        } ?? []
        console.table(["ID", "TITLE", "MODE", "STATUS", "PLAN", "CREATED"], rows) { column, cell in column == 3 ? console.state(cell) : nil }
        page.hint(answer, console)
    }
}
