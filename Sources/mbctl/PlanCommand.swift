import ArgumentParser
import Shared

/// `mbctl plan SPEC`: plans a spec (Product Architect → System Designer → Security/Compliance).
struct PlanCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "plan", abstract: "Plan a spec: formal spec, scaffold plan and risk.")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The spec's id.")
    var spec: String

    @Option(help: "Idempotency-Key: a retry with the same key makes no second plan version.")
    var idempotencyKey: String?

    func run() async throws {
        let context = try global.context()
        let answer = try await context.client.call(
            .planSpec, [spec], headers: idempotencyKey.map { [("Idempotency-Key", $0)] } ?? [], timeout: .seconds(120)
        )
        let console = context.console
        if console.json { return console.raw(answer) }
        let plan = answer.json
        let level = plan.at("risk", "level").text
        let levelStyle: Console.Style = level == "high" ? .red : level == "medium" ? .yellow : .green
        console.fields([
            ("plan", "v\(plan["version"].text) \(plan["id"].text)"),
            ("entities", (plan.at("formal_spec", "entities")?.items ?? []).map { $0["name"].text }.joined(separator: ", ")),
            ("stack", ["language", "framework", "database", "test_runner"].compactMap { plan.at("plan", "stack", $0)?.stringValue }.joined(separator: " + ")),
            ("files", String(plan.at("plan", "files")?.items.count ?? 0)),
            ("migrations", String(plan.at("plan", "migrations")?.items.count ?? 0)),
            ("endpoints", String(plan.at("plan", "endpoints")?.items.count ?? 0)),
            ("risk", "\(plan.at("risk", "score").text) (\(console.styled(level, levelStyle)))"),
        ])
        for flag in plan.at("risk", "flags")?.items ?? [] {
            console.line("  +\(flag["weight"].text) \(flag["factor"].text): \(flag["detail"].text)")
        }
        for assumption in plan.at("formal_spec", "assumptions")?.items ?? [] {
            console.line(console.styled("  assumed: \(assumption.text)", .dim))
        }
        console.note("next: mbctl run start \(spec) --wait")
    }
}
