import ArgumentParser
import Shared

/// `mbctl spec get SPEC`: one spec.
struct SpecGetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "get", abstract: "Show a spec.")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The spec's id.")
    var spec: String

    func run() async throws {
        let context = try global.context()
        let answer = try await context.client.call(.getSpec, [spec])
        let console = context.console
        if console.json { return console.raw(answer) }
        let value = answer.json
        console.fields([
            ("id", value["id"].text), ("title", value["title"].text), ("mode", value["mode"].text),
            ("status", console.state(value["status"].text)), ("latest plan", value["latest_plan_version"].text),
            ("created", "\(value["created_at"].text) by \(value["created_by"].text)"),
        ])
        if let description = value["description"]?.stringValue, !description.isEmpty {
            console.line()
            console.line(description)
        }
        let criteria = value["acceptance_criteria"].map(\.items) ?? []
        if !criteria.isEmpty {
            console.line()
            console.line(console.styled("Acceptance criteria", .bold))
            for criterion in criteria { console.line("  - \(criterion.text)") }
        }
    }
}
