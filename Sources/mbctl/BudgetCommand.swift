import ArgumentParser
import Shared

/// `mbctl budget`: the tenant's monthly budgets of tokens and provider cost with this month's
/// usage; with a flag, sets them (owner, admin).
struct BudgetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "budget",
        abstract: "Show or set the tenant's monthly budgets of tokens and provider cost.",
        discussion: "Without flags: the budgets and this month's usage. --monthly-tokens and --monthly-cost-usd set them (none: no budget); runs paused at a monthly budget then go on."
    )

    @OptionGroup var global: GlobalOptions

    @Option(help: "Tokens per calendar month (UTC), or none.")
    var monthlyTokens: String?

    @Option(help: "Provider cost in USD per calendar month (UTC), or none.")
    var monthlyCostUSD: String?

    func run() async throws {
        let context = try global.context()
        var body: [String: JSONValue] = [:]
        if let monthlyTokens { body["monthly_tokens"] = try Self.value(monthlyTokens, flag: "--monthly-tokens") }
        if let monthlyCostUSD { body["monthly_cost_usd"] = try Self.value(monthlyCostUSD, flag: "--monthly-cost-usd") }
        let answer = body.isEmpty ? try await context.client.call(.getBudget) : try await context.client.call(.setBudget, body: .object(body))
        let console = context.console
        if console.json { return console.raw(answer) }
        let budget = answer.json
        console.fields([
            ("month", budget["month"].text),
            ("tokens", "\(RunView.grouped(budget.at("used", "tokens")?.integer ?? 0)) of \(budget["monthly_tokens"]?.integer.map(RunView.grouped) ?? "no budget")"),
            ("cost", "\(budget.at("used", "cost_usd").text) USD of \(budget["monthly_cost_usd"]?.number.map { "\($0) USD" } ?? "no budget")"),
            ("paused runs", budget["paused_runs"].text),
        ])
    }

    /// A flag's value: `none` is null, anything else a number.
    static func value(_ text: String, flag: String) throws -> JSONValue {
        if text == "none" { return .null }
        guard let number = Double(text) else { throw ValidationError("\(flag) must be a number or none") }
        return .number(number)
    }
}
